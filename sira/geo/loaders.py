"""Load the boundary reference data shipped in geo/data. Idempotent: rerunning updates in place."""

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load_units(region_model, cercle_model) -> tuple[int, int]:
    with (DATA / "regions.csv").open(encoding="utf-8") as fh:
        regions = list(csv.DictReader(fh))
    for row in regions:
        region_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_fr": row["name_fr"],
                "name_en": row["name_en"],
                "iso_3166_2": row["iso_3166_2"],
                "centroid_lat": float(row["centroid_lat"]),
                "centroid_lon": float(row["centroid_lon"]),
            },
        )
    with (DATA / "cercles.csv").open(encoding="utf-8") as fh:
        cercles = list(csv.DictReader(fh))
    for row in cercles:
        cercle_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "region_id": row["parent_code"],
                "name_fr": row["name_fr"],
                "centroid_lat": float(row["centroid_lat"]),
                "centroid_lon": float(row["centroid_lon"]),
            },
        )
    return len(regions), len(cercles)
