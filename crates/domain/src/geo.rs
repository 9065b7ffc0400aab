//! Places on the earth: validated coordinates and the great-circle distance shown to
//! citizens.

use serde::{Deserialize, Serialize};

/// Mean earth radius used for all distances shown (IUGG), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        let ok = lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat);
        (ok && (-180.0..=180.0).contains(&lon)).then_some(Self { lat, lon })
    }

    /// Parses `LAT,LON` as given in a URL (`near=13.36,100.98`).
    pub fn parse(input: &str) -> Option<Self> {
        let (lat, lon) = input.split_once(',')?;
        Self::new(lat.trim().parse().ok()?, lon.trim().parse().ok()?)
    }

    /// The point on the unit sphere, for spatial indexes where straight-line (chord)
    /// order equals great-circle order.
    pub fn unit_vector(self) -> [f64; 3] {
        let (lat, lon) = (self.lat.to_radians(), self.lon.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }
}

/// Haversine distance in kilometres.
pub fn distance_km(a: LatLon, b: LatLon) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The chord length on the unit sphere that matches a great-circle distance, so a radius
/// in kilometres can be asked of an index of unit vectors.
pub fn chord_for_km(km: f64) -> f64 {
    2.0 * (km / (2.0 * EARTH_RADIUS_KM))
        .min(std::f64::consts::FRAC_PI_2)
        .sin()
}

/// Ray casting on a ring of `[lon, lat]` points; good enough at district scale, where
/// the curvature of the earth does not move a boundary by a measurable amount.
///
/// Edges are half-open (a point on the western or southern side of the ring counts as
/// inside, on the eastern or northern side as outside), so a point on an edge that two
/// rings share vertex for vertex is inside exactly one of them: neighbouring districts
/// of a coverage never both claim a point on their border.
pub fn inside_ring(p: LatLon, ring: &[[f64; 2]]) -> bool {
    let mut inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for i in 0..ring.len() {
        let (xi, yi) = (ring[i][0], ring[i][1]);
        let (xj, yj) = (ring[j][0], ring[j][1]);
        if (yi > p.lat) != (yj > p.lat) && p.lon < (xj - xi) * (p.lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The even-odd rule over all rings of an area: inside an odd number of them. Islands
/// (rings side by side) and holes (a ring inside a ring, and an island in a lake inside
/// that) then need no marking of which ring is which, nor any order.
pub fn inside_rings<R: AsRef<[[f64; 2]]>>(p: LatLon, rings: &[R]) -> bool {
    rings.iter().filter(|r| inside_ring(p, r.as_ref())).count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_between_bangkok_and_chonburi_is_about_70_km() {
        let bangkok = LatLon::new(13.7563, 100.5018).unwrap();
        let chonburi = LatLon::new(13.3611, 100.9847).unwrap();
        let d = distance_km(bangkok, chonburi);
        assert!((d - 67.8).abs() < 1.5, "{d}");
        assert_eq!(distance_km(bangkok, bangkok), 0.0);
    }

    #[test]
    fn chord_grows_with_distance_and_matches_the_vectors() {
        let a = LatLon::new(13.0, 100.0).unwrap();
        let b = LatLon::new(13.5, 100.5).unwrap();
        let (va, vb) = (a.unit_vector(), b.unit_vector());
        let chord =
            ((va[0] - vb[0]).powi(2) + (va[1] - vb[1]).powi(2) + (va[2] - vb[2]).powi(2)).sqrt();
        assert!((chord - chord_for_km(distance_km(a, b))).abs() < 1e-9);
        assert!(chord_for_km(10.0) < chord_for_km(11.0));
    }

    #[test]
    fn parses_and_refuses_coordinates() {
        assert_eq!(LatLon::parse("13.36, 100.98"), LatLon::new(13.36, 100.98));
        assert_eq!(LatLon::parse("abc"), None);
        assert_eq!(LatLon::parse("91,100"), None);
        assert_eq!(LatLon::parse("13,181"), None);
        assert_eq!(LatLon::parse("NaN,1"), None);
    }

    #[test]
    fn point_in_ring() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert!(inside_ring(LatLon::new(0.5, 0.5).unwrap(), &square));
        assert!(!inside_ring(LatLon::new(1.5, 0.5).unwrap(), &square));
    }

    fn square(x: f64, y: f64, size: f64) -> Vec<[f64; 2]> {
        vec![
            [x, y],
            [x + size, y],
            [x + size, y + size],
            [x, y + size],
            [x, y],
        ]
    }

    fn at(lon: f64, lat: f64) -> LatLon {
        LatLon::new(lat, lon).unwrap()
    }

    #[test]
    fn islands_are_each_inside_and_the_sea_between_is_not() {
        let islands = [square(0.0, 0.0, 1.0), square(3.0, 0.0, 1.0)];
        assert!(inside_rings(at(0.5, 0.5), &islands));
        assert!(inside_rings(at(3.5, 0.5), &islands));
        assert!(!inside_rings(at(2.0, 0.5), &islands));
        assert!(!inside_rings(at(0.5, 2.0), &islands));
        let none: [Vec<[f64; 2]>; 0] = [];
        assert!(!inside_rings(at(0.5, 0.5), &none));
    }

    #[test]
    fn a_hole_is_outside_and_an_island_in_it_inside_whatever_the_order() {
        let outer = square(0.0, 0.0, 9.0);
        let hole = square(3.0, 3.0, 3.0);
        let island = square(4.0, 4.0, 1.0);
        for rings in [
            vec![outer.clone(), hole.clone(), island.clone()],
            vec![island.clone(), outer.clone(), hole.clone()],
        ] {
            assert!(inside_rings(at(1.0, 1.0), &rings), "land around the lake");
            assert!(!inside_rings(at(3.5, 3.5), &rings), "the lake");
            assert!(inside_rings(at(4.5, 4.5), &rings), "the island in the lake");
            assert!(!inside_rings(at(10.0, 1.0), &rings), "outside");
        }
        // A hole given clockwise, as GeoJSON writes holes, counts the same.
        let mut clockwise = hole.clone();
        clockwise.reverse();
        assert!(!inside_rings(at(3.5, 3.5), &[outer, clockwise]));
    }

    #[test]
    fn a_shared_edge_or_corner_belongs_to_exactly_one_ring() {
        let rings = [
            square(0.0, 0.0, 1.0),
            square(1.0, 0.0, 1.0),
            square(0.0, 1.0, 1.0),
            square(1.0, 1.0, 1.0),
        ];
        for p in [
            at(1.0, 0.5),
            at(0.5, 1.0),
            at(1.0, 1.0),
            at(1.5, 1.0),
            at(1.0, 1.5),
        ] {
            let owners = rings.iter().filter(|r| inside_ring(p, r)).count();
            assert_eq!(owners, 1, "{p:?}");
        }
    }
}
