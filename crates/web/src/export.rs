//! The public directory as GeoJSON, shared by the API and `citizeninfo export`.

use serde_json::{Value, json};

use crate::api::ServicePointItem;

pub fn feature_collection(items: &[ServicePointItem]) -> Value {
    let features: Vec<Value> = items
        .iter()
        .map(|it| {
            let mut props = serde_json::to_value(it).unwrap_or(Value::Null);
            if let Some(obj) = props.as_object_mut() {
                obj.remove("location");
            }
            json!({
                "type": "Feature",
                "id": it.code,
                "geometry": {"type": "Point", "coordinates": [it.location.lon, it.location.lat]},
                "properties": props,
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}
