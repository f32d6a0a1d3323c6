//! HTTP tests against a real `vigil serve` on a random loopback port. Every response is
//! validated against Persona's official schema by `common::conformance`.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod actions;
mod actors;
mod auth;
mod cases;
mod client;
mod console;
mod crash;
mod documents;
mod events;
mod flow;
mod headline;
mod id_steps;
mod importers;
mod inquiries;
mod listen;
mod lists;
mod match_cli;
mod mcp;
mod nodes;
mod protocol;
mod reports;
mod rules;
mod storage;
mod tour;
mod types;
mod users;
mod verifications;
mod webhooks;
