//! The one integration-test binary: starts the real server on port 0 against a fresh
//! database (SQLite by default, PostgreSQL when `GUICHET_TEST_DATABASE_URL` is set) and
//! talks HTTP to it like a browser or an integration would.

mod harness;

mod accounting;
mod accounts;
mod api;
mod attendance;
mod auth;
mod backup;
mod booking;
mod booking_mail;
mod booking_modules;
mod browser;
mod browser_booking;
mod browser_csp;
mod browser_customers;
mod browser_drawer;
mod browser_layouts;
mod browser_modules;
mod browser_orders;
mod browser_register;
mod browser_reservations;
mod calendar;
mod catalogue;
mod cli;
mod closing;
mod confirmations;
mod customer_imports;
mod customers;
mod fake_stripe;
mod holds;
mod http_api;
mod http_limits;
mod journal;
mod languages;
mod menu;
mod migrations;
mod money;
mod offers;
mod openapi;
mod order_search;
mod orders;
mod pages;
mod planning;
mod privacy;
mod promotions;
mod reservations;
mod roles;
mod shop;
mod signin;
mod statistics;
mod stripe;
mod tenancy;
mod writes;
