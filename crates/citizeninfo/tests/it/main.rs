//! Integration tests: every storage and HTTP test runs on SQLite and on a real
//! PostgreSQL (a fresh database per test), and the end-to-end test drives a real
//! headless Chromium.

mod support;

mod accounts;
mod api;
mod authorize_codes;
mod backoffice_pages;
mod browser;
mod catalogue;
mod connections;
mod e2e;
mod e2e_backoffice;
mod e2e_manuals;
mod e2e_ratings;
mod e2e_tasks;
mod hardening;
mod import;
mod instances;
mod manual_pages;
mod pages;
mod photos;
mod points;
mod privacy;
mod ratings;
mod scope;
mod storage_layer;
mod task_pages;
mod task_reminders;
mod tasks;
