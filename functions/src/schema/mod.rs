//! The database's schema, declared next to its functions: the core tables of
//! the system (tenants, models, atoms and their embeddings, inference), its
//! graph, its in-memory cache, the OODA-loop queues and the roles
//! applications connect as. Every table is tenant-scoped through its
//! `TenantId` (functions/Cargo.toml) unless it says `tenant = false`.

pub mod atoms;
pub mod broker;
pub mod graph;
pub mod inference;
pub mod models;
pub mod provenance;
pub mod roles;
pub mod tenants;
