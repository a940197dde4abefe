"""Picklists of the justice chain. HTCDS has no justice fields except the perpetrator's role
(`per_RoleInProcess`, kept with its HTCDS codes); the rest are Sira's, shaped on Mali's institutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.TextChoices):
    BPMC = "BPMC", _("BPMC (Brigade for the Protection of Minors)")
    BFMHT = "BFMHT", _("BFMHT (Brigade against trafficking)")
    BIS = "BIS", _("Specialized Investigation Brigade")
    GENDARMERIE = "Gendarmerie", _("Gendarmerie")
    POLICE = "Police", _("Police (other unit)")
    LABOUR = "LabourInspection", _("Labour inspection")
    OTHER = "Other", _("Other agency")


class OperationType(models.TextChoices):
    COMPLAINT = "Complaint", _("Complaint or report")
    REFERRAL = "Referral", _("Referral by a protection actor")
    ROUTINE = "Routine", _("Routine check or patrol")
    BORDER = "BorderCheck", _("Border or road check")
    JOINT_MINING = "JointMiningSite", _("Joint operation at a mining site")
    JOINT_OTHER = "JointOperation", _("Joint operation (other)")
    OTHER = "Other", _("Other")


class InvestigationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ClosingReason(models.TextChoices):
    REFERRED = "ReferredToProsecution", _("Referred to the prosecutor")
    INSUFFICIENT = "InsufficientEvidence", _("Insufficient evidence")
    NOT_FOUND = "SuspectNotFound", _("Suspect not found")
    WITHDRAWN = "ComplaintWithdrawn", _("Complaint withdrawn")
    NOT_OFFENCE = "NoOffence", _("No offence established")
    OTHER = "Other", _("Other")


class Court(models.TextChoices):
    PJS = "SpecializedJudicialPole", _("Specialized Judicial Pole")
    ASSIZES = "CourtOfAssizes", _("Court of Assizes")
    TGI = "HighCourt", _("Tribunal de grande instance")
    INSTANCE = "FirstInstance", _("Tribunal d'instance")
    CHILDREN = "ChildrensCourt", _("Children's court")
    APPEAL = "CourtOfAppeal", _("Court of Appeal")
    OTHER = "Other", _("Other court")


class RoleInProcess(models.TextChoices):
    """HTCDS v2.0 per_RoleInProcess (codes as in the standard)."""

    TRAVELLING_PARTNER = "TravellingPartner", _("Travelling partner")
    TRANSPORTER = "Transporter", _("Transporter")
    RECRUITER = "RecruiterOrIntermediary", _("Recruiter or intermediary")
    BROKER = "BrokerTravelAgent", _("Broker or travel agent")
    TRANSFERRED = "TransferredIndividual", _("Transferred the person")
    HARBOURED = "HarbouredIndividual", _("Harboured the person")
    SOLD = "SoldIndividual", _("Sold the person")
    BOUGHT = "BoughtIndividual", _("Bought the person")
    RECEIVED = "ReceivedIndividual", _("Received the person")
    CONTROLLED = "ControlledIndividual", _("Controlled the person")
    SMUGGLER = "Smuggler", _("Smuggler")
    ABUSER = "Abuser", _("Abuser")
    KIDNAPPER = "Kidnapper", _("Kidnapper")
    EXPLOITER = "Exploiter", _("Exploiter")
    OTHER = "Other", _("Other")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISMISSED = "dismissed", _("Dismissed")
    DROPPED = "dropped", _("Charges dropped")


class DroppedReason(models.TextChoices):
    WITHDRAWN = "ComplaintWithdrawn", _("Complaint withdrawn")
    SETTLED = "OutOfCourtSettlement", _("Settled out of court")
    EVIDENCE = "InsufficientEvidence", _("Insufficient evidence")
    REQUALIFIED = "Requalified", _("Charge requalified")
    DEATH = "DefendantDied", _("Defendant died")
    OTHER = "Other", _("Other")


class HearingKind(models.TextChoices):
    FIRST = "FirstAppearance", _("First appearance")
    INSTRUCTION = "Instruction", _("Investigating judge")
    TRIAL = "Trial", _("Trial")
    VERDICT = "Verdict", _("Verdict")
    ADJOURNED = "Adjourned", _("Adjourned")
    OTHER = "Other", _("Other")


class AppealBy(models.TextChoices):
    PROSECUTION = "Prosecution", _("Prosecution")
    DEFENCE = "Defence", _("Defence")
    CIVIL_PARTY = "CivilParty", _("Civil party (victim)")


class AppealResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Verdict upheld")
    MODIFIED = "modified", _("Sentence modified")
    OVERTURNED = "overturned", _("Verdict overturned")
    WITHDRAWN = "withdrawn", _("Appeal withdrawn")
