//! Atoms (units of knowledge with a place in space), their embeddings,
//! relations and concepts.

use runtime::prelude::*;

/// A unit of knowledge: a piece of text with its place in a 3-D grid.
/// Versioned: every change is kept in AtomHistory for 90 days.
#[derive(SqlTable)]
#[sql(
    temporal(history = "AtomHistory", retention = "90 DAYS"),
    index(columns = "TenantId, HilbertValue", include = "CanonicalText"),
    spatial_index(column = "SpatialKey", bounding_box = "0, 0, 2097152, 2097152")
)]
pub struct Atom {
    #[sql(primary_key, identity)]
    pub atom_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(200)")]
    pub canonical_text: Option<String>,
    /// The atom's grid cell, 21 bits per axis.
    #[sql(check = "[GridX] BETWEEN 0 AND 2097151")]
    pub grid_x: i32,
    #[sql(check = "[GridY] BETWEEN 0 AND 2097151")]
    pub grid_y: i32,
    #[sql(check = "[GridZ] BETWEEN 0 AND 2097151")]
    pub grid_z: i32,
    /// 3-D Hilbert key of the grid cell, kept in the row for range scans.
    #[sql(
        computed = "[dbo].[fn_HilbertEncode3D]([GridX], [GridY], [GridZ])",
        persisted
    )]
    pub hilbert_value: i64,
    /// The cell as a point, for spatial queries (GEOMETRY bytes).
    #[sql(type = "GEOMETRY")]
    pub spatial_key: Option<Vec<u8>>,
    #[sql(default = "SYSUTCDATETIME()")]
    pub created_at: NaiveDateTime,
    #[sql(period_start, hidden)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end, hidden)]
    pub valid_to: NaiveDateTime,
}

/// An atom's embedding, searchable through an approximate vector index.
#[derive(SqlTable)]
#[sql(
    index(
        name = "IX_AtomEmbedding_Model",
        columns = "ModelId",
        where = "[ModelId] IS NOT NULL"
    ),
    vector_index(column = "Embedding", metric = "cosine")
)]
pub struct AtomEmbedding {
    #[sql(primary_key, references = "dbo.Atom(AtomId)", on_delete = "cascade")]
    pub atom_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(references = "dbo.Model(ModelId)")]
    pub model_id: Option<i32>,
    pub embedding: Vector<1998>,
}

/// A typed, weighted link between two atoms. Deleting the source atom
/// deletes the link; the target side does not cascade (SQL Server allows one
/// cascade path into a table).
#[derive(SqlTable)]
#[sql(index(columns = "TargetAtomId"))]
pub struct AtomRelation {
    #[sql(primary_key, identity)]
    pub atom_relation_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(references = "dbo.Atom(AtomId)", on_delete = "cascade")]
    pub source_atom_id: i64,
    #[sql(references = "dbo.Atom(AtomId)")]
    pub target_atom_id: i64,
    #[sql(type = "NVARCHAR(50)")]
    pub relation_type: String,
    #[sql(default = "1.0", check = "[Weight] >= 0")]
    pub weight: f32,
}

/// A named concept in a hierarchy, with the centroid of its atoms.
#[derive(SqlTable)]
#[sql(index(columns = "TenantId, ConceptPath", unique))]
pub struct Concept {
    #[sql(primary_key, identity)]
    pub concept_id: i32,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    /// Case- and accent-sensitive: concept names differing only in case
    /// are different concepts.
    #[sql(type = "NVARCHAR(200)", collate = "Latin1_General_100_CS_AS")]
    pub name: String,
    /// Where the concept sits in the hierarchy.
    #[sql(type = "HIERARCHYID")]
    pub concept_path: Vec<u8>,
    pub centroid: Option<Vector<1998>>,
}
