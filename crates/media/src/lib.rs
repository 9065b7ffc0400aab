//! Office photos: what staff upload is checked, turned upright, stripped of its
//! metadata and re-encoded ([`process`]), then kept in an object store ([`Store`]) under
//! a key made from its content ([`keys`]).
//!
//! Nothing here knows HTTP or the database: the web layer reads the upload, runs
//! [`process`] on the blocking pool, stores both sizes and records the hash.

pub mod demo;
mod local;
mod photo;
mod s3;
mod sniff;
mod store;

pub use photo::{
    CONTENT_TYPE, DISPLAY_MAX_SIDE, JPEG_QUALITY, MAX_BYTES, MAX_PIXELS, MAX_SIDE, PhotoError,
    Processed, THUMB_MAX_SIDE, keys, process,
};
pub use s3::{S3Config, S3Store};
pub use store::{
    DEFAULT_REGION, ENV_ACCESS_KEY_ID, ENV_BUCKET, ENV_ENDPOINT, ENV_REGION, ENV_SECRET_ACCESS_KEY,
    Object, Store, StoreError, content_type_for, extension_of, validate_key,
};
