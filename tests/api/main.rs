//! Black-box tests: the real server, built by `Application::build` with
//! in-memory backends on `127.0.0.1:0`, spoken to over real HTTP (reqwest)
//! and real WebSocket (tokio-tungstenite). One binary, one module per area.

mod accounts;
mod authorization;
mod browser;
mod connections;
mod event_matrix;
mod events;
mod files;
mod hardening;
mod harness;
mod hostile;
mod house;
mod http_protocol;
mod interop;
mod links;
mod material_matrix;
mod materials;
mod moderation;
mod network;
mod objects;
mod operations;
mod people;
mod persistence;
mod search;
mod search_engines;
mod search_matrix;
mod space_matrix;
mod spaces;
mod tidy;
mod websocket;
