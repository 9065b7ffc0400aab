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
}
