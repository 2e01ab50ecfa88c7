//! The generated aggregate classes driven under Mono as SQL Server may drive
//! them (rows in any order, the state saved and restored between any two
//! calls, partial states merged in different groupings, NULL rows, empty
//! groups, instances dropped without Terminate), every outcome compared with
//! the same operations done directly on the Rust type; then reflection over
//! the compiled classes checked against the generated `CREATE AGGREGATE`.

use codegen::emit::{GeneratedFile, aggregate_class};
use codegen::model::{AggregateDef, Model};
use functions::aggregates::{
    DtwDistance, GeometricMedian, SpatialConvexHull, VectorCentroid, VectorCovariance,
    VectorKMeansCluster, VectorMeanVariance,
};
use runtime::aggregate::{SqlAggregate, restore_state, save_state};
use runtime::geometry::{Geometry, geo_types};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use workspace_tests::clr_harness::{Arg, ClrHarness, clr_type_for_sql, hex, start_workspace};

/// One step of a calling pattern, on numbered instances.
#[derive(Debug, Clone)]
enum Op {
    /// A new instance in this slot, `Init` called.
    New(usize),
    Accumulate(usize, Vec<Arg>),
    /// `Merge(other)` into the first; the other is dropped afterwards.
    Merge(usize, usize),
    /// `Write`, then `Read` into a fresh instance that takes the slot; the
    /// old instance is dropped.
    SaveRestore(usize),
    Terminate(usize),
    /// Dropped without Terminate.
    Drop(usize),
}

/// What the test knows about each aggregate: how to run a row directly in
/// Rust and how the result is encoded, mirroring the bridge's contract
/// (a NULL argument for a non-Option parameter skips the row).
trait Driven: SqlAggregate {
    fn add(&mut self, row: &[Arg]) -> Result<(), String>;
    fn result(&self) -> Result<String, String>;
}

fn int_of(arg: &Arg) -> Option<i64> {
    match arg {
        Arg::Null => None,
        Arg::Int(i) => Some(*i),
        other => panic!("not an integer argument: {other:?}"),
    }
}

fn floats_of(arg: &Arg) -> Option<Vec<f32>> {
    match arg {
        Arg::Null => None,
        Arg::Bytes(b) => Some(runtime::vector::decode_f32_le(b).expect("test rows are packed f32")),
        other => panic!("not a vector argument: {other:?}"),
    }
}

fn encode_floats(v: Option<Vec<f32>>) -> String {
    v.map_or_else(
        || "N".to_string(),
        |v| {
            format!(
                "x:{}",
                hex(&v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<_>>())
            )
        },
    )
}

fn encode_text(v: Option<String>) -> String {
    v.map_or_else(
        || "N".to_string(),
        |s| {
            format!(
                "s:{}",
                s.encode_utf16()
                    .map(|u| format!("{u:04x}"))
                    .collect::<String>()
            )
        },
    )
}

fn rust_error(name: &str, e: impl Display) -> String {
    format!("RustException: dbo.{name}: {e}")
}

/// An aggregate of one vector per row.
macro_rules! one_vector_row {
    ($ty:ty, $sql:literal, $encode:ident) => {
        impl Driven for $ty {
            fn add(&mut self, row: &[Arg]) -> Result<(), String> {
                match floats_of(&row[0]) {
                    Some(v) => self.accumulate(&v).map_err(|e| rust_error($sql, e)),
                    None => Ok(()),
                }
            }
            fn result(&self) -> Result<String, String> {
                Ok($encode(self.terminate()))
            }
        }
    };
}

one_vector_row!(VectorCentroid, "VectorCentroid", encode_floats);
one_vector_row!(VectorMeanVariance, "VectorMeanVariance", encode_text);
one_vector_row!(VectorCovariance, "VectorCovariance", encode_floats);
one_vector_row!(GeometricMedian, "GeometricMedian", encode_floats);

impl Driven for VectorKMeansCluster {
    fn add(&mut self, row: &[Arg]) -> Result<(), String> {
        match (floats_of(&row[0]), int_of(&row[1])) {
            (Some(v), Some(k)) => self
                .accumulate(&v, k as i32)
                .map_err(|e| rust_error("VectorKMeansCluster", e)),
            _ => Ok(()),
        }
    }
    fn result(&self) -> Result<String, String> {
        Ok(encode_floats(self.terminate()))
    }
}

impl Driven for SpatialConvexHull {
    fn add(&mut self, row: &[Arg]) -> Result<(), String> {
        match &row[0] {
            Arg::Null => Ok(()),
            Arg::Bytes(bytes) => {
                let g = Geometry::from_bridge(bytes)
                    .map_err(|e| rust_error("SpatialConvexHull", format!("@geometry: {e}")))?;
                self.accumulate(g)
                    .map_err(|e| rust_error("SpatialConvexHull", e))
            }
            other => panic!("not a geometry argument: {other:?}"),
        }
    }
    fn result(&self) -> Result<String, String> {
        self.terminate()
            .map(|g| {
                g.filter(|g| g.is_finite())
                    .map_or_else(|| "N".to_string(), |g| format!("x:{}", hex(&g.to_bridge())))
            })
            .map_err(|e| rust_error("SpatialConvexHull", e))
    }
}

impl Driven for DtwDistance {
    fn add(&mut self, row: &[Arg]) -> Result<(), String> {
        match (int_of(&row[0]), floats_of(&row[1]), floats_of(&row[2])) {
            (Some(o), Some(v), Some(r)) => self
                .accumulate(o, &v, &r)
                .map_err(|e| rust_error("DTWDistance", e)),
            _ => Ok(()),
        }
    }
    fn result(&self) -> Result<String, String> {
        self.terminate()
            .map(|d| d.map_or_else(|| "N".to_string(), |d| format!("f:{:016x}", d.to_bits())))
            .map_err(|e| rust_error("DTWDistance", e))
    }
}

/// Runs the ops on the Rust type directly: each op's outcome.
fn run_direct<T: Driven>(name: &str, ops: &[Op]) -> Vec<Result<String, String>> {
    let mut slots: BTreeMap<usize, T> = BTreeMap::new();
    ops.iter()
        .map(|op| match op {
            Op::New(slot) => {
                slots.insert(*slot, T::init());
                Ok(String::new())
            }
            Op::Accumulate(slot, row) => slots
                .get_mut(slot)
                .unwrap()
                .add(row)
                .map(|()| String::new()),
            Op::Merge(slot, other) => {
                let other = slots.remove(other).unwrap();
                slots
                    .get_mut(slot)
                    .unwrap()
                    .merge(other)
                    .map(|()| String::new())
                    .map_err(|e| rust_error(name, e))
            }
            Op::SaveRestore(slot) => {
                let saved = save_state(&slots[slot]);
                let restored: T = restore_state(&saved).map_err(|e| rust_error(name, e))?;
                slots.insert(*slot, restored);
                Ok(String::new())
            }
            Op::Terminate(slot) => slots[slot].result(),
            Op::Drop(slot) => {
                slots.remove(slot);
                Ok(String::new())
            }
        })
        .collect()
}

/// Runs the ops through the generated C# class: each op's outcome.
fn run_bridge(h: &mut ClrHarness, class: &str, ops: &[Op]) -> Vec<Result<String, String>> {
    let mut slots: BTreeMap<usize, String> = BTreeMap::new();
    let mut outcomes = Vec::new();
    for op in ops {
        let outcome = match op {
            Op::New(slot) => h.new_aggregate(class).map(|id| {
                slots.insert(*slot, id);
                String::new()
            }),
            Op::Accumulate(slot, row) => h.accumulate(&slots[slot], row),
            Op::Merge(slot, other) => {
                let other_id = slots.remove(other).unwrap();
                let outcome = h.merge(&slots[slot], &other_id);
                h.drop_instance(&other_id);
                outcome
            }
            Op::SaveRestore(slot) => {
                let old = slots[slot].clone();
                let outcome = h.save(&old).and_then(|saved| h.load(class, &saved));
                h.drop_instance(&old);
                outcome.map(|id| {
                    slots.insert(*slot, id);
                    String::new()
                })
            }
            Op::Terminate(slot) => h.terminate(&slots[slot]),
            Op::Drop(slot) => {
                h.drop_instance(&slots.remove(slot).unwrap());
                Ok(String::new())
            }
        };
        outcomes.push(outcome);
    }
    for id in slots.into_values() {
        h.drop_instance(&id);
    }
    outcomes
}

/// xorshift64*: the same patterns on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
    fn float(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 8.0 - 4.0
    }
}

/// Rows of one vector each: `n` vectors of `dim` elements, every fifth row NULL.
fn vector_rows(rng: &mut Rng, n: usize, dim: usize) -> Vec<Vec<Arg>> {
    (0..n)
        .map(|i| {
            if i % 5 == 3 {
                vec![Arg::Null]
            } else {
                let v: Vec<f32> = (0..dim).map(|_| rng.float()).collect();
                vec![Arg::floats(&v)]
            }
        })
        .collect()
}

/// The calling patterns, each a list of ops ending in Terminate.
fn patterns(rng: &mut Rng, rows: &[Vec<Arg>]) -> Vec<(String, Vec<Op>)> {
    let acc = |slot: usize, rows: &[Vec<Arg>]| -> Vec<Op> {
        rows.iter()
            .map(|r| Op::Accumulate(slot, r.clone()))
            .collect()
    };
    let mut all = Vec::new();

    // In order, one instance.
    let mut ops = vec![Op::New(0)];
    ops.extend(acc(0, rows));
    ops.push(Op::Terminate(0));
    all.push(("in order".to_string(), ops));

    // Shuffled orders.
    for round in 0..3 {
        let mut shuffled = rows.to_vec();
        rng.shuffle(&mut shuffled);
        let mut ops = vec![Op::New(0)];
        ops.extend(acc(0, &shuffled));
        ops.push(Op::Terminate(0));
        all.push((format!("shuffled #{round}"), ops));
    }

    // Saved and restored between every two calls, including before the
    // first row and before Terminate.
    let mut ops = vec![Op::New(0), Op::SaveRestore(0)];
    for r in rows {
        ops.push(Op::Accumulate(0, r.clone()));
        ops.push(Op::SaveRestore(0));
    }
    ops.push(Op::Terminate(0));
    all.push(("saved between every call".to_string(), ops));

    // Partial groups merged in different groupings, some restored first,
    // one of them empty.
    for parts in [2usize, 3, 5] {
        let mut cuts: Vec<usize> = (0..parts - 1).map(|_| rng.below(rows.len() + 1)).collect();
        cuts.sort();
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(rows.len());
        let mut build = Vec::new();
        for p in 0..parts {
            build.push(Op::New(p));
            build.extend(acc(p, &rows[bounds[p]..bounds[p + 1]]));
            if p % 2 == 1 {
                build.push(Op::SaveRestore(p));
            }
        }
        // Left fold: ((0 + 1) + 2) ...
        let mut left = build.clone();
        for p in 1..parts {
            left.push(Op::Merge(0, p));
        }
        left.push(Op::Terminate(0));
        all.push((format!("{parts} parts merged left to right"), left));
        // Right fold: 0 + (1 + (2 + ...)), the last state restored before merging.
        let mut right = build.clone();
        right.push(Op::SaveRestore(parts - 1));
        for p in (1..parts).rev() {
            right.push(Op::Merge(p - 1, p));
        }
        right.push(Op::Terminate(0));
        all.push((format!("{parts} parts merged right to left"), right));
    }

    // An empty group, and an empty partial state merged into a full one.
    all.push((
        "empty group".to_string(),
        vec![Op::New(0), Op::Terminate(0)],
    ));
    let mut ops = vec![Op::New(0), Op::New(1)];
    ops.extend(acc(0, rows));
    ops.push(Op::Merge(0, 1));
    ops.push(Op::Terminate(0));
    all.push(("empty partial merged".to_string(), ops));

    // Instances dropped without Terminate (SQL Server abandons them on errors and cancels).
    let mut ops = vec![Op::New(0), Op::New(1)];
    ops.extend(acc(0, rows));
    ops.push(Op::SaveRestore(1));
    ops.push(Op::Drop(0));
    ops.push(Op::Drop(1));
    all.push(("dropped without Terminate".to_string(), ops));
    all
}

fn drive<T: Driven>(
    h: &mut ClrHarness,
    aggregate: &AggregateDef,
    rows: &[Vec<Arg>],
    rng: &mut Rng,
) -> usize {
    let class = aggregate_class(aggregate);
    let mut checked = 0;
    for (pattern, ops) in patterns(rng, rows) {
        let through_bridge = run_bridge(h, &class, &ops);
        let direct = run_direct::<T>(&aggregate.name.name, &ops);
        assert_eq!(
            through_bridge, direct,
            "{}: {pattern}: the bridge and the Rust type differ",
            aggregate.name
        );
        // The rows hold a non-NULL one: in order, the result is a value.
        if pattern == "in order" {
            let last = through_bridge.last().expect("ends in Terminate");
            assert!(
                last.as_ref().is_ok_and(|v| v != "N"),
                "{}: in order gave {last:?}",
                aggregate.name
            );
        }
        checked += 1;
    }
    checked
}

/// Rows of mismatched lengths: the second is an error (saying `expected`),
/// the same through the bridge as in Rust, and the group can still finish.
/// `row` makes the aggregate's row around a vector.
fn mismatch<T: Driven>(
    h: &mut ClrHarness,
    aggregate: &AggregateDef,
    row: fn(usize, Vec<f32>) -> Vec<Arg>,
    expected: &str,
) {
    let ops = vec![
        Op::New(0),
        Op::Accumulate(0, row(0, vec![1.0, 2.0, 3.0])),
        Op::Accumulate(0, row(1, vec![1.0])),
        Op::New(1),
        Op::Accumulate(1, row(2, vec![1.0, 2.0])),
        Op::Merge(0, 1),
        Op::Terminate(0),
    ];
    let through_bridge = run_bridge(h, &aggregate_class(aggregate), &ops);
    let direct = run_direct::<T>(&aggregate.name.name, &ops);
    assert_eq!(
        through_bridge, direct,
        "{}: mismatched lengths",
        aggregate.name
    );
    assert!(
        through_bridge[2]
            .as_ref()
            .is_err_and(|e| e.contains(expected)),
        "{through_bridge:?}"
    );
    assert!(
        through_bridge[5].is_err(),
        "merging a 2-element state into a 3-element one"
    );
}

fn aggregate<'a>(model: &'a Model, name: &str) -> &'a AggregateDef {
    model
        .aggregates
        .iter()
        .find(|a| a.name.name == name)
        .unwrap_or_else(|| panic!("no aggregate {name}"))
}

fn vector_only(_: usize, v: Vec<f32>) -> Vec<Arg> {
    vec![Arg::floats(&v)]
}

fn with_k(_: usize, v: Vec<f32>) -> Vec<Arg> {
    vec![Arg::floats(&v), Arg::Int(3)]
}

/// DTW rows: an ordinal, the vector, and the one reference of the group.
fn dtw_row(ordinal: usize, v: Vec<f32>) -> Vec<Arg> {
    let reference: Vec<f32> = (0..v.len() * 4).map(|i| (i % 7) as f32 - 3.0).collect();
    vec![
        Arg::Int(ordinal as i64 * 3 - 5),
        Arg::floats(&v),
        Arg::floats(&reference),
    ]
}

/// A geometry made of a vector: a point per pair of values (a one-element
/// vector is a point on the x axis), in an SRID that follows the length, so
/// vectors of different lengths are geometries of different SRIDs.
fn geometry_row(_: usize, v: Vec<f32>) -> Vec<Arg> {
    let points: Vec<geo_types::Point<f64>> = v
        .chunks(2)
        .map(|p| geo_types::Point::new(f64::from(p[0]), f64::from(*p.get(1).unwrap_or(&0.0))))
        .collect();
    let shape: geo_types::Geometry<f64> = match points.len() {
        1 => points[0].into(),
        _ => geo_types::MultiPoint(points).into(),
    };
    vec![Arg::Bytes(
        Geometry::new(1000 + v.len() as i32, shape).to_bridge(),
    )]
}

/// One-vector rows as an aggregate's rows (a NULL vector stays NULL).
fn shaped(rows: &[Vec<Arg>], row: fn(usize, Vec<f32>) -> Vec<Arg>) -> Vec<Vec<Arg>> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| match floats_of(&r[0]) {
            Some(v) => row(i, v),
            None => {
                let mut shaped = row(i, vec![0.0]);
                // The vector is the first argument, or the second after an ordinal.
                let at = usize::from(shaped.len() == 3);
                shaped[at] = Arg::Null;
                shaped
            }
        })
        .collect()
}

type Runner = fn(&mut ClrHarness, &AggregateDef, &[Vec<Arg>], &mut Rng) -> usize;
type RowShape = fn(usize, Vec<f32>) -> Vec<Arg>;

#[test]
fn every_aggregate_matches_the_rust_type_under_every_calling_pattern() {
    let (mut h, generation) = start_workspace();
    let model = &generation.model;
    let baseline = h.live_states();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut driven = BTreeSet::new();
    let mut patterns_checked = 0;
    // (SQL name, how to drive it, its rows, the largest dimension to drive
    // it at: the covariance's state is d² doubles, sent as hex through the
    // harness's pipe at every save).
    let all: [(&str, Runner, RowShape, usize); 7] = [
        ("VectorCentroid", drive::<VectorCentroid>, vector_only, 1998),
        (
            "VectorMeanVariance",
            drive::<VectorMeanVariance>,
            vector_only,
            1998,
        ),
        (
            "VectorCovariance",
            drive::<VectorCovariance>,
            vector_only,
            33,
        ),
        (
            "GeometricMedian",
            drive::<GeometricMedian>,
            vector_only,
            1998,
        ),
        (
            "VectorKMeansCluster",
            drive::<VectorKMeansCluster>,
            with_k,
            1998,
        ),
        ("DTWDistance", drive::<DtwDistance>, dtw_row, 1998),
        (
            "SpatialConvexHull",
            drive::<SpatialConvexHull>,
            geometry_row,
            1998,
        ),
    ];
    for (dim, n) in [(1usize, 1usize), (7, 12), (33, 40), (1998, 9)] {
        let rows = vector_rows(&mut rng, n, dim);
        for (name, run, row, max_dim) in all {
            if dim > max_dim {
                continue;
            }
            let a = aggregate(model, name);
            patterns_checked += run(&mut h, a, &shaped(&rows, row), &mut rng);
            driven.insert(a.name.name.clone());
        }
    }
    // DTW rows carry a reference whose length follows the vector's, so
    // there the reference is what differs first.
    type Mismatch = fn(&mut ClrHarness, &AggregateDef, RowShape, &str);
    let lengths = "3 and 1 elements";
    let cases: [(&str, RowShape, Mismatch, &str); 7] = [
        (
            "VectorCentroid",
            vector_only,
            mismatch::<VectorCentroid>,
            lengths,
        ),
        (
            "VectorMeanVariance",
            vector_only,
            mismatch::<VectorMeanVariance>,
            lengths,
        ),
        (
            "VectorCovariance",
            vector_only,
            mismatch::<VectorCovariance>,
            lengths,
        ),
        (
            "GeometricMedian",
            vector_only,
            mismatch::<GeometricMedian>,
            lengths,
        ),
        (
            "VectorKMeansCluster",
            with_k,
            mismatch::<VectorKMeansCluster>,
            lengths,
        ),
        (
            "SpatialConvexHull",
            geometry_row,
            mismatch::<SpatialConvexHull>,
            "geometries of SRID 1003 and 1001",
        ),
        (
            "DTWDistance",
            dtw_row,
            mismatch::<DtwDistance>,
            "@reference differs",
        ),
    ];
    for (name, row, check, expected) in cases {
        check(&mut h, aggregate(model, name), row, expected);
    }

    let declared: BTreeSet<String> = model
        .aggregates
        .iter()
        .map(|a| a.name.name.clone())
        .collect();
    assert_eq!(
        driven, declared,
        "every aggregate of functions/ is driven here"
    );
    assert!(patterns_checked >= 27 * 14, "{patterns_checked} patterns");

    // Every instance the patterns made was dropped: their states are freed
    // by the finalizers, Terminate or not.
    assert_eq!(h.live_states(), baseline, "aggregate states leaked");
}

#[test]
fn a_bad_saved_state_is_an_error_not_a_crash() {
    let (mut h, generation) = start_workspace();
    let class = aggregate_class(aggregate(&generation.model, "VectorCentroid"));
    // Length prefix says 12 bytes, 3 follow.
    let err = h.load(&class, "x:0c000000010203").unwrap_err();
    assert!(err.contains("declares 12 bytes, 3 could be read"), "{err}");
    // Well framed, but not a centroid's state.
    let err = h.load(&class, "x:03000000010203").unwrap_err();
    assert!(
        err.contains("dbo.VectorCentroid: aggregate state: truncated"),
        "{err}"
    );
    // Well framed and complete, but inconsistent: no rows, yet a sum.
    let err = h
        .load(
            &class,
            "x:140000000000000000000000010000000000000000000f03f",
        )
        .unwrap_err();
    assert!(
        err.contains(
            "dbo.VectorCentroid: aggregate state: no rows counted, yet a sum of 1 elements"
        ),
        "{err}"
    );
    // A state that reads back and one that is left alive are counted until dropped.
    let before = h.live_states();
    let id = h.new_aggregate(&class).unwrap();
    h.accumulate(&id, &[Arg::floats(&[1.0, 2.0])]).unwrap();
    let saved = h.save(&id).unwrap();
    let copy = h.load(&class, &saved).unwrap();
    assert_eq!(h.live_states(), before + 2);
    h.drop_instance(&id);
    h.drop_instance(&copy);
    assert_eq!(h.live_states(), before);
}

/// The parts of a generated `CREATE AGGREGATE` the cross-check needs.
struct CreateAggregate {
    name: String,
    params: Vec<String>,
    returns: String,
    class: String,
}

fn read_create_aggregate(file: &GeneratedFile) -> CreateAggregate {
    let lines: Vec<&str> = file
        .contents
        .lines()
        .filter(|l| !l.starts_with("--"))
        .collect();
    let create = lines
        .iter()
        .position(|l| l.starts_with("CREATE AGGREGATE "))
        .unwrap_or_else(|| panic!("{}: no CREATE AGGREGATE", file.path));
    let name = lines[create]
        .rsplit("].[")
        .next()
        .unwrap()
        .trim_end_matches(']')
        .to_string();
    let close = create + lines[create..].iter().position(|l| *l == ")").unwrap();
    let params = lines[create + 2..close]
        .iter()
        .map(|l| {
            let l = l.trim().trim_end_matches(',');
            l.split_once(' ').unwrap().1.to_string()
        })
        .collect();
    let returns = lines[close + 1]
        .strip_prefix("RETURNS ")
        .expect("RETURNS after the parameters")
        .to_string();
    let external = lines[close + 2]
        .strip_prefix("EXTERNAL NAME [Hartonomous.Functions].[")
        .expect("EXTERNAL NAME of the assembly");
    CreateAggregate {
        name,
        params,
        returns,
        class: external.trim_end_matches("];").to_string(),
    }
}

#[test]
fn reflection_over_the_aggregate_classes_matches_create_aggregate() {
    let (mut h, generation) = start_workspace();
    let listed: Vec<Vec<String>> = h
        .aggregate_signatures()
        .into_iter()
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    let mut checked = 0;
    for file in generation
        .files
        .iter()
        .filter(|f| f.path.starts_with("sql/") && f.path.contains("/aggregates/"))
    {
        let sql = read_create_aggregate(file);
        let a = aggregate(&generation.model, &sql.name);
        let class = listed
            .iter()
            .find(|l| l[1] == sql.class)
            .unwrap_or_else(|| panic!("{}: class {} is not in the assembly", file.path, sql.class));
        let short = sql.class.rsplit('.').next().unwrap();
        let yes = |b: bool| if b { "True" } else { "False" };
        let o = &a.options;
        let expected = vec![
            "AGGREGATE".to_string(),
            sql.class.clone(),
            sql.name.clone(),
            "UserDefined".into(),
            yes(o.invariant_to_nulls).into(),
            yes(o.invariant_to_duplicates).into(),
            yes(o.invariant_to_order).into(),
            yes(o.null_if_empty).into(),
            o.max_size.max_byte_size().to_string(),
            "True".into(),
            "True".into(),
            "Init()Void".into(),
            format!(
                "Accumulate({})Void",
                sql.params
                    .iter()
                    .map(|p| clr_type_for_sql(p))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            format!("Merge({short})Void"),
            format!("Terminate(){}", clr_type_for_sql(&sql.returns)),
            "Read(BinaryReader)Void".into(),
            "Write(BinaryWriter)Void".into(),
        ];
        assert_eq!(class, &expected, "{}", file.path);
        checked += 1;
    }
    assert_eq!(checked, generation.model.aggregates.len());
    assert_eq!(
        listed.len(),
        checked,
        "aggregate classes without CREATE AGGREGATE"
    );
}

/// An aggregate with a bounded state (`max_size`) and a parameter of every
/// shape the fixture has: its C# compiles with Mono and refuses, in `Write`,
/// a state above MaxByteSize before SQL Server would.
#[test]
fn a_bounded_aggregate_compiles_and_checks_its_state_size() {
    let generation = workspace_tests::generate_clean("tests/ui/pass/aggregate.rs");
    let class = generation
        .files
        .iter()
        .find(|f| f.path == "csharp/stats/aggregates/WeightedMean.cs")
        .expect("the fixture's aggregate has a C# class");
    assert!(
        class.contents.contains("MaxByteSize = 16)]"),
        "{}",
        class.contents
    );
    assert!(
        class
            .contents
            .contains("if (__bytes.Len > 16 - 4)\n            {\n                NativeMethods.hs_free_bytes(__bytes.Ptr, __bytes.Len);\n                throw Bridge.StateTooLarge(Label, __bytes.Len + 4, 16);"),
        "{}",
        class.contents
    );
    let sources: Vec<&GeneratedFile> = generation
        .files
        .iter()
        .filter(|f| f.path.ends_with(".cs"))
        .collect();
    workspace_tests::clr_harness::compile_only(&workspace_tests::workspace_root(), &sources)
        .unwrap_or_else(|e| panic!("{e}"));
}
