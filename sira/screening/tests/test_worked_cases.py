"""Worked cases paraphrased from public case descriptions (sources in each docstring; keys refer to
shared/research/indicators.md §9). Each gives the answers a worker would record, the expected
outcome and why. Questions not listed were answered on their safe side ("no" to the signs)."""

from sira.screening.tests.bank_helpers import assess


def test_nigerian_woman_at_a_gold_site_bound_by_debt_and_oath():
    """IOM, 'Voodoo curses' keep victims of trafficking under bondage (Koflatiè, Mali, 2019)
    [iom_voodoo_2019]: recruited in Nigeria for a job, taken to a mining camp, the 'madam' takes the
    passport and demands a million CFA francs to be repaid through prostitution; an oath keeps her.
    Expected: strong (adult, act + means + sexual exploitation), provisional for this form."""
    result = assess(
        24,
        ["sexual_exploitation"],
        {
            "C-ARRANGED": "yes",
            "C-WHO": "intermediary",
            "C-PROMISES": ["work"],
            "C-DEBT": "yes",
            "C-DEBT-ORIGIN": "yes",
            "C-DEBT-GROWS": "yes",
            "C-DOCS": "someone_else",
            "C-LEAVE": "no",
            "C-PAY": "to_someone_else",
            "X-CLIENTS": "yes",
            "X-TAKINGS": "yes",
            "X-OATH": "yes",
        },
    )
    assert result["outcome"] == "strong" and result["elements"]["means"] == "found"
    # The labour indicators alone already meet the adult rule; either way the form is sexual.
    assert result["path"] in ("adult_trafficking", "adult_sexual")


def test_twelve_year_old_taken_to_cocoa_farms_to_work_off_the_journey():
    """UNICEF Mali, 'A community stands up to traffickers' [unicef_maimouna]: a 12-year-old leaving
    with some twenty children via Burkina Faso for Ivorian farms, told to 'work first to pay back our
    travel costs' for about three years. Expected: strong — child, act (taken abroad) + exploitative
    conditions (unpaid, long days)."""
    result = assess(
        12,
        ["forced_labour_agriculture"],
        {
            "C-ARRANGED": "yes",
            "F-ABROAD": "yes",
            "C-DEBT": "yes",
            "C-DEBT-ORIGIN": "yes",
            "C-PAY": "withheld",
            "C-HOURS": "yes",
            "C-SCHOOL": "no",
        },
    )
    assert (result["outcome"], result["path"]) == ("strong", "child_trafficking")


def test_child_used_as_courier_and_cook_by_an_armed_unit():
    """US DOL 2019 findings on Mali [dol_2019]; CRIN 2012 [crin_2012]: a unit used children aged 9–16 in
    support roles (messengers, cooks). Expected: strong — use by an armed force is exploitation of a
    child per se; no exploitative-conditions count is needed (issue 8: it used to read 'some')."""
    result = assess(12, ["armed_groups"], {"A-USED": "yes", "A-JOINED": "family"})
    assert (result["outcome"], result["path"]) == ("strong", "child_trafficking")
    assert result["per_se"] == ["armed_forces"] and "child_protection" in result["actions"]


def test_koranic_pupil_sent_abroad_begging_to_a_quota_and_beaten():
    """US TIP 2018 (Quranic teachers prosecuted for forced begging) [tip_2018]; Maliactu, 'Enfants
    talibés : une maltraitance…' [maliactu_talibes_maltraitance]: a boy sent away to a teacher, made to
    beg to a daily quota and beaten when short. Expected: strong — begging for another's profit under
    quota and punishment is per se exploitation of a child."""
    result = assess(
        9,
        ["forced_begging"],
        {
            "C-ARRANGED": "yes",
            "C-WHO": "teacher",
            "C-PROMISES": ["school"],
            "C-PAY": "none",
            "C-VIOLENCE": "yes",
            "B-FOR-OTHER": "yes",
            "B-QUOTA": "yes",
            "B-SHORT": "beaten",
        },
    )
    assert result["outcome"] == "strong" and "begging" in result["per_se"]


def test_fifteen_year_old_married_for_a_bride_price_and_confined():
    """Law 2024-027 (Penal Code) on 'placement' [maliactu_penal_code_2024]; IOM DTM arranged-marriage item
    [dtm_mali]: a 15-year-old given in marriage for money and goods, not allowed out. Expected: strong —
    marriage for payment or with confinement is exploitation of a child per se; the payment is the act
    (receipt)."""
    result = assess(15, ["forced_marriage"], {"M-MARRIED": "yes", "M-PRICE": "yes", "M-VISIT": "no"})
    assert (result["outcome"], result["path"]) == ("strong", "child_trafficking")
    assert result["per_se"] == ["marriage"]


def test_adult_born_into_slave_status_working_unpaid_for_the_master_family():
    """Al Jazeera, 'Slavery is alive in Mali…' (2021) [aljazeera_2021]; The Conversation, 'Tied down by
    Mali's slave mentality' [iafrica_conversation]: an adult regarded as of slave descent must serve the
    'nobles' at ceremonies unpaid, and they decide marriages. Expected: strong indication of slavery or
    a related practice — no recruitment needed."""
    result = assess(
        40,
        ["descent_based_slavery"],
        {"S-STATUS": "yes", "S-UNPAID": "yes", "S-CONTROL": "yes", "S-RIGHTS": "yes", "C-ARRANGED": "no"},
    )
    assert (result["outcome"], result["path"]) == ("strong", "slavery_status")


def test_salt_miner_in_debt_bondage():
    """US TIP 2011/2012 on Mali [tip_2011, tip_2012]; Explore Timbuktu on Taoudenni [exploretimbuktu]:
    men held in long-standing debt bondage; the advance for the journey grows at captive-market prices;
    leaving depends on the creditor's transport. Expected: strong — the debt contracted at recruitment
    counts for the recruitment phase (issue 8: debt bondage used to read 'some')."""
    result = assess(
        35,
        ["debt_bondage_salt_mines"],
        {
            "C-ARRANGED": "yes",
            "C-DEBT": "yes",
            "C-DEBT-ORIGIN": "yes",
            "C-DEBT-GROWS": "yes",
            "T-PRICES": "yes",
            "C-PAY": "none",
            "C-LIVING": "yes",
            "C-LEAVE": "no",
            "C-DEPEND": "yes",
        },
    )
    assert (result["outcome"], result["path"]) == ("strong", "adult_trafficking")


def test_control_smuggled_migrant_who_paid_worked_for_wages_and_could_leave():
    """Control. Law 2012-023 art. 4 (smuggling of migrants) [law_2012_023_art4]; UNODC E4J module 6
    [unodc_e4j_m6]: a migrant paid a smuggler for the journey north, worked for agreed wages in transit,
    kept his papers and could leave. Expected: no indication — smuggling alone is not trafficking
    (issue 8: answered literally, this used to score 'strong')."""
    result = assess(
        26,
        ["migrant_exploitation"],
        {
            "C-ARRANGED": "yes",
            "C-WHO": "intermediary",
            "N-SMUGGLER": "yes",
            "C-PAY": "as_agreed",
            "C-LEAVE": "yes",
            "C-DOCS": "own",
        },
    )
    assert result["outcome"] == "none" and result["acts"] == ["ACT-01"]
    assert "CTX-03" in result["context"]


def test_control_paid_adolescent_doing_hazardous_work_beside_his_father():
    """Control. R. Sheel, Taodenni salt mines (2005) [rosemarysheel_taodenni]: boys work alongside their
    fathers hauling slabs. A paid 15-year-old, nothing else found. Expected: further assessment and a
    child-protection referral, not strong."""
    result = assess(
        15,
        ["debt_bondage_salt_mines"],
        {
            "C-ARRANGED": "yes",
            "C-WHO": "relative",
            "C-HAZARD": "yes",
            "C-WITH-PARENT": "yes",
            "C-PAY": "as_agreed",
        },
    )
    assert (result["outcome"], result["path"]) == ("some", "child_hazardous_with_parent")
    assert "child_protection" in result["actions"]


def test_girl_from_sikasso_in_domestic_servitude_in_mauritania():
    """L'Essor, 'Trafic d'enfants vers la Mauritanie' (2024) [lessor_2024_mauritania]: a 15-year-old
    from Sikasso taken to work for 'masters' in Mauritania, unpaid, not allowed out, beaten, escaped.
    Expected: strong — child, act + domestic servitude (and exploitative conditions)."""
    result = assess(
        15,
        ["domestic_servitude"],
        {
            "C-ARRANGED": "yes",
            "C-PAY": "none",
            "C-HOURS": "yes",
            "C-LEAVE": "no",
            "C-VIOLENCE": "yes",
            "H-HOUSEWORK": "yes",
            "H-OUT-ALONE": "no",
            "H-LEFTOVERS": "yes",
        },
    )
    assert (result["outcome"], result["path"]) == ("strong", "child_trafficking")
    assert "domestic_servitude" in result["per_se"]


def test_migrant_child_at_a_gold_mine_working_for_a_guardian_who_keeps_the_pay():
    """Human Rights Watch, 'A Poisonous Mix' (2011) [hrw_2011]: children from elsewhere live at mines
    without parents, dig and carry ore, handle mercury, and guardians keep their pay. Expected: strong —
    act (harboured by a guardian) + purpose."""
    result = assess(
        13,
        ["forced_labour_gold_mining"],
        {
            "C-ARRANGED": "yes",
            "G-NO-PARENTS": "yes",
            "C-HAZARD": "yes",
            "C-PAY": "to_someone_else",
            "G-CARE": "no",
        },
    )
    assert (result["outcome"], result["path"]) == ("strong", "child_trafficking")


def test_girl_exchanging_sex_for_money_at_a_gold_site():
    """ECPAT Luxembourg, Kangaba gold sites [ecpat_lux_kangaba]: children at Kokoyo and Koflatiè having
    sex in exchange for cash or goods. A 15-year-old brought to the site. Expected: strong — any
    commercial sexual exploitation of a child; provisional label for this form."""
    result = assess(15, ["sexual_exploitation"], {"C-ARRANGED": "yes", "X-EXCHANGE": "yes"})
    assert (result["outcome"], result["path"], result["provisional"]) == ("strong", "child_sexual", True)


def test_exploited_migrant_without_coercion_needs_further_assessment():
    """ILO survey typology (Moldova), as summarised in the research notes §1.3 [ilo_delphi_secondary]:
    the 'exploited migrant' — long hours, low pay, but free to leave and not deceived. Expected: some
    indications, further assessment (exploitation without the means of trafficking)."""
    result = assess(
        30, ["forced_labour"], {"C-ARRANGED": "no", "C-HOURS": "yes", "C-PAY": "less", "L-SICK": "yes"}
    )
    assert result["outcome"] == "some" and result["path"] is None


def test_deceived_and_exploited_but_free_to_go_is_further_assessment():
    """ILO typology 'deception + exploitation' [ilo_delphi_secondary]; IOM DTM Mali (4 % worked without the
    expected pay) [dtm_mali]: promised a job and pay, got less and long hours, no coercion at
    destination. Expected: some indications — the adult rule needs coercion or abuse at destination."""
    result = assess(
        28, [], {"C-ARRANGED": "yes", "C-PROMISES": ["work", "pay"], "C-HOURS": "yes", "C-PAY": "less"}
    )
    assert result["outcome"] == "some"
    assert {d["id"]: d["status"] for d in result["dimensions"]}["D1"] == "positive"
