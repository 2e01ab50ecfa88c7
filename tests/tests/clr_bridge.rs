//! The generated C# bridge, compiled with Mono's `mcs` against `System.Data`,
//! called with SqlTypes values through P/Invoke into the real Rust library,
//! every result compared with a direct Rust call; and reflection over the
//! compiled assembly checked against the generated T-SQL.

use codegen::emit::{EmitOptions, GeneratedFile};
use codegen::model::{Model, RoutineKind};
use functions::{geometry, planning, spatial, vector};
use runtime::geometry::geo_types;
use std::collections::BTreeSet;
use std::fmt::Display;
use workspace_tests::clr_harness::{
    Arg, BRIDGE_CLASS as CLASS, ClrHarness, clr_type_for_sql, hex, start_workspace,
};
use workspace_tests::workspace_root;

fn start() -> (ClrHarness, Model, Vec<GeneratedFile>) {
    let (harness, generation) = start_workspace();
    (harness, generation.model, generation.files)
}

// Expected answers, encoded as the harness prints them.
fn ok(value: String) -> String {
    format!("OK\t{value}")
}
fn null() -> String {
    "N".into()
}
fn float(x: Option<f64>) -> String {
    x.map_or_else(null, |x| format!("f:{:016x}", x.to_bits()))
}
fn int(x: Option<i64>) -> String {
    x.map_or_else(null, |x| format!("i:{x}"))
}
fn text(x: Option<&str>) -> String {
    x.map_or_else(null, |s| {
        format!(
            "s:{}",
            s.encode_utf16()
                .map(|u| format!("{u:04x}"))
                .collect::<String>()
        )
    })
}
fn floats(x: Option<Vec<f32>>) -> String {
    x.map_or_else(null, |v| {
        format!(
            "x:{}",
            hex(&v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<_>>())
        )
    })
}
fn err(routine: &str, message: impl Display) -> String {
    format!("ERR\tRustException: dbo.{routine}: {message}")
}
fn scalar<T, E: Display>(
    routine: &str,
    result: Result<T, E>,
    encode: impl FnOnce(T) -> String,
) -> String {
    match result {
        Ok(v) => ok(encode(v)),
        Err(e) => err(routine, e),
    }
}

/// Vectors of several shapes: empty, odd tails, large, non-finite, mismatched.
fn vector_pairs() -> Vec<(Vec<f32>, Vec<f32>)> {
    let big: Vec<f32> = (0..1998)
        .map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0)
        .collect();
    let big2: Vec<f32> = big.iter().rev().map(|x| x * 0.5 + 0.25).collect();
    vec![
        (vec![], vec![]),
        (vec![1.0, 2.0, 2.0], vec![2.0, 0.0, 1.0]),
        (vec![0.0, 0.0], vec![1.0, 1.0]),
        (vec![f32::NAN, 1.0], vec![1.0, 1.0]),
        (vec![f32::MAX, f32::MAX], vec![f32::MAX, f32::MAX]),
        (vec![f32::INFINITY], vec![1.0]),
        (vec![1.0, 2.0, 3.0], vec![1.0, 2.0]),
        (big, big2),
    ]
}

#[test]
fn every_bridge_method_matches_a_direct_rust_call() {
    let (mut h, model, _) = start();
    let mut called = BTreeSet::new();
    let mut check = |h: &mut ClrHarness, method: &str, args: Vec<Arg>, expected: String| {
        called.insert(method.to_string());
        let got = h.call(method, &args);
        assert_eq!(got, expected, "{method}({args:?})");
    };

    // Binary vector functions, every shape, plus NULLs and a bad byte length.
    type Binary = fn(&[f32], &[f32]) -> Result<Option<f64>, runtime::vector::VectorError>;
    let binary: [(&str, &str, Binary); 3] = [
        (
            "vector__vector_dot_product",
            "fn_VectorDotProduct",
            vector::vector_dot_product,
        ),
        (
            "vector__cosine_similarity",
            "fn_CosineSimilarity",
            vector::cosine_similarity,
        ),
        (
            "vector__euclidean_distance",
            "fn_EuclideanDistance",
            vector::euclidean_distance,
        ),
    ];
    for (method, routine, f) in binary {
        for (a, b) in vector_pairs() {
            check(
                &mut h,
                method,
                vec![Arg::floats(&a), Arg::floats(&b)],
                scalar(routine, f(&a, &b), float),
            );
        }
        check(
            &mut h,
            method,
            vec![Arg::Null, Arg::floats(&[1.0])],
            ok(null()),
        );
        check(
            &mut h,
            method,
            vec![Arg::floats(&[1.0]), Arg::Null],
            ok(null()),
        );
        check(
            &mut h,
            method,
            vec![Arg::Bytes(vec![0, 0, 128, 63, 1]), Arg::floats(&[1.0])],
            err(
                routine,
                "@a: vector byte length 5 is not a multiple of 4 (vectors are packed little-endian float32)",
            ),
        );
    }
    type Pair = fn(&[f32], &[f32]) -> Result<Option<Vec<f32>>, runtime::vector::VectorError>;
    let pairs: [(&str, &str, Pair); 2] = [
        ("vector__vector_add", "fn_VectorAdd", vector::vector_add),
        (
            "vector__vector_subtract",
            "fn_VectorSubtract",
            vector::vector_subtract,
        ),
    ];
    for (method, routine, f) in pairs {
        for (a, b) in vector_pairs() {
            check(
                &mut h,
                method,
                vec![Arg::floats(&a), Arg::floats(&b)],
                scalar(routine, f(&a, &b), floats),
            );
        }
        check(&mut h, method, vec![Arg::Null, Arg::Null], ok(null()));
    }
    for (a, b) in vector_pairs() {
        for t in [0.0, 0.25, 1.0, -3.5] {
            check(
                &mut h,
                "vector__vector_lerp",
                vec![Arg::floats(&a), Arg::floats(&b), Arg::Float(t)],
                scalar("fn_VectorLerp", vector::vector_lerp(&a, &b, t), floats),
            );
        }
        // SqlDouble cannot hold NaN or infinities; 1e308 overflows f32 to infinity.
        for factor in [2.0, -0.5, 1e308] {
            check(
                &mut h,
                "vector__vector_scale",
                vec![Arg::floats(&a), Arg::Float(factor)],
                ok(floats(vector::vector_scale(&a, factor))),
            );
        }
        check(
            &mut h,
            "vector__vector_norm",
            vec![Arg::floats(&a)],
            ok(float(vector::vector_norm(&a))),
        );
        check(
            &mut h,
            "vector__vector_normalize",
            vec![Arg::floats(&a)],
            ok(floats(vector::vector_normalize(&a))),
        );
        check(
            &mut h,
            "vector__vector_softmax",
            vec![Arg::floats(&a)],
            ok(floats(vector::vector_softmax(&a))),
        );
        check(
            &mut h,
            "vector__vector_arg_max",
            vec![Arg::floats(&a)],
            ok(int(vector::vector_arg_max(&a).map(i64::from))),
        );
    }
    for method in [
        "vector__vector_norm",
        "vector__vector_normalize",
        "vector__vector_softmax",
        "vector__vector_arg_max",
    ] {
        check(&mut h, method, vec![Arg::Null], ok(null()));
    }
    check(
        &mut h,
        "vector__vector_scale",
        vec![Arg::floats(&[1.0]), Arg::Null],
        ok(null()),
    );
    check(
        &mut h,
        "vector__vector_lerp",
        vec![Arg::floats(&[1.0]), Arg::floats(&[1.0]), Arg::Null],
        ok(null()),
    );

    // Curves: valid points, the extremes, and out-of-range input.
    let max = (1 << 21) - 1;
    for (x, y, z) in [
        (0, 0, 0),
        (1, 2, 3),
        (max, 0, max),
        (max, max, max),
        (-1, 0, 0),
        (0, 0, max + 1),
    ] {
        let args = vec![Arg::Int(x), Arg::Int(y), Arg::Int(z)];
        let (x, y, z) = (x as i32, y as i32, z as i32);
        check(
            &mut h,
            "spatial__hilbert_encode_3d",
            args.clone(),
            scalar(
                "fn_HilbertEncode3D",
                spatial::hilbert_encode_3d(x, y, z),
                |k| int(Some(k)),
            ),
        );
        check(
            &mut h,
            "spatial__morton_encode_3d",
            args,
            scalar(
                "fn_MortonEncode3D",
                spatial::morton_encode_3d(x, y, z),
                |k| int(Some(k)),
            ),
        );
    }
    let rows = |points: Vec<spatial::GridPoint>| {
        format!(
            "T:{}",
            points
                .iter()
                .map(|p| format!("[i:{},i:{},i:{}]", p.x, p.y, p.z))
                .collect::<String>()
        )
    };
    for key in [0i64, 1, 12345, i64::MAX, -1] {
        check(
            &mut h,
            "spatial__hilbert_decode_3d",
            vec![Arg::Int(key)],
            scalar("fn_HilbertDecode3D", spatial::hilbert_decode_3d(key), rows),
        );
        check(
            &mut h,
            "spatial__morton_decode_3d",
            vec![Arg::Int(key)],
            scalar("fn_MortonDecode3D", spatial::morton_decode_3d(key), rows),
        );
    }
    check(
        &mut h,
        "spatial__hilbert_encode_3d",
        vec![Arg::Null, Arg::Int(1), Arg::Int(1)],
        ok(null()),
    );
    check(
        &mut h,
        "spatial__hilbert_decode_3d",
        vec![Arg::Null],
        ok("T:".into()),
    );
    check(
        &mut h,
        "spatial__morton_decode_3d",
        vec![Arg::Null],
        ok("T:".into()),
    );
    check(
        &mut h,
        "spatial__morton_encode_3d",
        vec![Arg::Int(1), Arg::Null, Arg::Int(1)],
        ok(null()),
    );

    // Planning: NULL flags, string round trips, non-BMP text, lone surrogates.
    for tokens in [None, Some(0), Some(1500), Some(9000), Some(i32::MAX)] {
        for flag in [None, Some(false), Some(true)] {
            let arg = |b: Option<bool>| b.map_or(Arg::Null, Arg::Bool);
            check(
                &mut h,
                "planning__calculate_complexity",
                vec![
                    tokens.map_or(Arg::Null, |t| Arg::Int(t.into())),
                    arg(flag),
                    arg(flag.map(|f| !f)),
                ],
                ok(int(planning::calculate_complexity(
                    tokens,
                    flag,
                    flag.map(|f| !f),
                )
                .map(i64::from))),
            );
        }
    }
    for (priority, complexity) in [
        ("critical", 9),
        ("HIGH", 2),
        ("high", 7),
        ("Medium", 5),
        ("low", 1),
        ("", 0),
        ("😀", 3),
    ] {
        check(
            &mut h,
            "planning__determine_sla",
            vec![Arg::text(priority), Arg::Int(complexity)],
            ok(text(Some(planning::determine_sla(
                priority,
                complexity as i32,
            )))),
        );
    }
    check(
        &mut h,
        "planning__determine_sla",
        vec![Arg::Null, Arg::Int(1)],
        ok(null()),
    );
    check(
        &mut h,
        "planning__determine_sla",
        vec![Arg::text("high"), Arg::Null],
        ok(null()),
    );
    check(
        &mut h,
        "planning__determine_sla",
        vec![Arg::Utf16(vec![0x68, 0xD800]), Arg::Int(1)],
        err(
            "fn_DetermineSla",
            "@priority: invalid UTF-16, lone surrogate 0xD800 after 1 characters",
        ),
    );
    let capability_rows = |rows: Vec<planning::Capability>| {
        rows.iter()
            .map(|c| {
                format!(
                    "[{},{}]",
                    text(Some(&c.capability)),
                    float(Some(c.confidence))
                )
            })
            .collect::<String>()
    };
    let long_name = "x".repeat(300) + "gpt";
    for name in [
        "gpt-4o",
        "openai/whisper-large-v3",
        "CodeLlama-34B-Instruct-vision",
        "resnet50",
        "",
        long_name.as_str(),
        "𝔤𝔭𝔱-embed",
    ] {
        check(
            &mut h,
            "planning__parse_model_capabilities",
            vec![Arg::text(name)],
            ok(format!(
                "T:{}",
                capability_rows(planning::parse_model_capabilities(name))
            )),
        );
    }
    check(
        &mut h,
        "planning__parse_model_capabilities",
        vec![Arg::Null],
        ok("T:".into()),
    );

    // The procedure: OUTPUT parameters and its result set.
    for (name, tokens, tools, priority) in [
        ("llama-3.2-vision", Some(3000), Some(false), Some("high")),
        ("unknown", None, None, Some("high")),
        ("gpt-4o", Some(100), Some(true), None),
    ] {
        let mut complexity = Some(99);
        let mut sla = Some("seed".to_string());
        let rows =
            planning::plan_inference(name, tokens, tools, priority, &mut complexity, &mut sla);
        check(
            &mut h,
            "planning__plan_inference",
            vec![
                Arg::text(name),
                tokens.map_or(Arg::Null, |t| Arg::Int(t.into())),
                tools.map_or(Arg::Null, Arg::Bool),
                priority.map_or(Arg::Null, Arg::text),
                Arg::Int(99),
                Arg::text("seed"),
            ],
            ok(format!(
                "P:{};{}|{}",
                int(complexity.map(i64::from)),
                text(sla.as_deref()),
                capability_rows(rows)
            )),
        );
    }
    check(
        &mut h,
        "planning__plan_inference",
        vec![
            Arg::Null,
            Arg::Null,
            Arg::Null,
            Arg::Null,
            Arg::Null,
            Arg::Null,
        ],
        "ERR\tRustException: dbo.sp_PlanInference: @modelName must not be NULL".into(),
    );

    // Vector<N>: exact dimension, through the bridge's own JSON conversion too.
    let embedding: Vec<f32> = (0..1998).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect();
    let other: Vec<f32> = embedding.iter().rev().copied().collect();
    let as_vector = |v: &[f32]| runtime::vector::Vector::<1998>::try_from(v.to_vec()).unwrap();
    check(
        &mut h,
        "vector__embedding_cosine",
        vec![Arg::floats(&embedding), Arg::floats(&other)],
        ok(float(vector::embedding_cosine(
            as_vector(&embedding),
            as_vector(&other),
        ))),
    );
    check(
        &mut h,
        "vector__embedding_cosine",
        vec![Arg::floats(&embedding[..3]), Arg::floats(&other)],
        err(
            "fn_EmbeddingCosine",
            "@a: expected a vector of 1998 elements, got 3",
        ),
    );
    check(
        &mut h,
        "vector__embedding_cosine",
        vec![Arg::Null, Arg::floats(&other)],
        ok(null()),
    );
    let sql_server_json = format!(
        "[{}]",
        embedding
            .iter()
            .map(|x| format!("{x:.7e}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    check(
        &mut h,
        "runtime__vector_from_json",
        vec![Arg::Bytes(sql_server_json.into_bytes())],
        ok(floats(Some(
            runtime::json::parse_vector(format!("{embedding:?}").as_bytes()).unwrap(),
        ))),
    );
    check(
        &mut h,
        "runtime__vector_from_json",
        vec![Arg::Bytes(b"[]".to_vec())],
        ok(floats(Some(vec![]))),
    );
    check(
        &mut h,
        "runtime__vector_from_json",
        vec![Arg::Bytes(b"[1,,2]".to_vec())],
        err(
            "hs_VectorFromJson",
            "@json: invalid JSON vector at byte 3: expected a number",
        ),
    );
    check(
        &mut h,
        "runtime__vector_from_json",
        vec![Arg::Null],
        ok(null()),
    );

    // Spatial values: SRID and WKB in, SRID and WKB out.
    // A geometry with a NaN or infinite coordinate is NULL, as a float is.
    let spatial_bytes = |g: Option<runtime::geometry::Geometry>| {
        g.filter(|g| g.is_finite())
            .map_or_else(null, |g| format!("x:{}", hex(&g.to_bridge())))
    };
    let framed = |srid: i32, wkb: &str| {
        let mut bytes = srid.to_be_bytes().to_vec();
        bytes.extend(
            (0..wkb.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&wkb[i..i + 2], 16).unwrap()),
        );
        bytes
    };
    // SQL Server's documented STAsBinary of a two-point MultiPoint and of a
    // geography LineString, a triangle with a point inside, a curve and a
    // point with Z and M (neither crosses), bare WKB without the SRID.
    let triangle = runtime::geometry::Geometry::new(
        3857,
        geo_types::Polygon::new(
            geo_types::LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (0.0, 4.0), (0.0, 0.0)]),
            vec![geo_types::LineString::from(vec![
                (1.0, 1.0),
                (1.5, 1.0),
                (1.0, 1.5),
                (1.0, 1.0),
            ])],
        ),
    );
    let geometries: Vec<Vec<u8>> = vec![
        framed(
            0,
            "010400000002000000010100000000000000000059400000000000005940010100000000000000000069400000000000006940",
        ),
        framed(
            4326,
            "010200000002000000D7A3703D0A975EC08716D9CEF7D34740CBA145B6F3955EC08716D9CEF7D34740",
        ),
        triangle.to_bridge(),
        // Beyond the hull's coordinate limit: an error through the bridge.
        runtime::geometry::Geometry::new(
            0,
            geo_types::MultiPoint(vec![
                (1e300, 0.0).into(),
                (0.0, 1e300).into(),
                (-1e300, 1.0).into(),
            ]),
        )
        .to_bridge(),
        framed(0, "0108000000000000000000"),
        framed(
            0,
            "01B90B0000000000000000F03F000000000000F03F00000000000000400000000000000840",
        ),
        framed(0, "")[..4]
            .iter()
            .chain(b"\x01\x01")
            .copied()
            .collect(),
        framed(0, "010100000000000000000059400000000000005940")[4..].to_vec(),
    ];
    for bytes in geometries {
        let expected = match runtime::geometry::Geometry::from_bridge(&bytes) {
            Ok(g) => scalar(
                "fn_GeometryConvexHull",
                geometry::geometry_convex_hull(g),
                spatial_bytes,
            ),
            Err(e) => err("fn_GeometryConvexHull", format!("@geometry: {e}")),
        };
        check(
            &mut h,
            "geometry__geometry_convex_hull",
            vec![Arg::Bytes(bytes)],
            expected,
        );
    }
    check(
        &mut h,
        "geometry__geometry_convex_hull",
        vec![Arg::Null],
        ok(null()),
    );
    // Geography: SQL Server's documented LineString in SRID 4326, a point, a curve.
    let geography_bytes = |g: Option<runtime::geometry::Geography>| {
        g.filter(|g| g.is_finite())
            .map_or_else(null, |g| format!("x:{}", hex(&g.to_bridge())))
    };
    for bytes in [
        framed(
            4326,
            "010200000002000000D7A3703D0A975EC08716D9CEF7D34740CBA145B6F3955EC08716D9CEF7D34740",
        ),
        framed(4326, "010100000000000000000059400000000000005940"),
        framed(4326, "0108000000000000000000"),
    ] {
        let expected = match runtime::geometry::Geography::from_bridge(&bytes) {
            Ok(g) => ok(geography_bytes(geometry::geography_bounding_box(g))),
            Err(e) => err("fn_GeographyBoundingBox", format!("@geography: {e}")),
        };
        check(
            &mut h,
            "geometry__geography_bounding_box",
            vec![Arg::Bytes(bytes)],
            expected,
        );
    }
    for (point, azimuth, elevation, srid) in [
        (vec![1.0f32, 2.0, 3.0], 0.0, 90.0, 0),
        (vec![-5.5, 0.25, 1e6], 33.0, -12.5, 4326),
        (vec![1.0, 2.0], 0.0, 0.0, 0),
        (vec![1.0, 2.0, 3.0], 0.0, 0.0, 1_000_000),
        (vec![f32::MAX, f32::MAX, 0.0], 45.0, 0.0, 0),
        (vec![f32::NAN, 2.0, 3.0], 10.0, 0.0, 0),
    ] {
        check(
            &mut h,
            "geometry__spatial_project_point",
            vec![
                Arg::floats(&point),
                Arg::Float(azimuth),
                Arg::Float(elevation),
                Arg::Int(srid),
            ],
            scalar(
                "fn_SpatialProjectPoint",
                geometry::spatial_project_point(&point, azimuth, elevation, srid as i32),
                spatial_bytes,
            ),
        );
    }

    // Large values: a 1 MiB vector and a million-character string.
    let large: Vec<f32> = (0..262_144)
        .map(|i| ((i % 113) as f32 - 56.0) / 64.0)
        .collect();
    check(
        &mut h,
        "vector__vector_norm",
        vec![Arg::floats(&large)],
        ok(float(vector::vector_norm(&large))),
    );
    check(
        &mut h,
        "vector__vector_softmax",
        vec![Arg::floats(&large)],
        ok(floats(vector::vector_softmax(&large))),
    );
    let huge_name = "ab".repeat(500_000) + "-whisper";
    check(
        &mut h,
        "planning__parse_model_capabilities",
        vec![Arg::text(&huge_name)],
        ok(format!(
            "T:{}",
            capability_rows(planning::parse_model_capabilities(&huge_name))
        )),
    );

    // Every native routine of the model was exercised (T-SQL ones have no
    // bridge method).
    let methods: BTreeSet<String> = model
        .routines
        .iter()
        .filter(|r| r.is_native())
        .map(codegen::emit::bridge_method)
        .collect();
    let missed: Vec<_> = methods.difference(&called).collect();
    assert!(
        missed.is_empty(),
        "bridge methods without cases: {missed:?}"
    );
}

/// Reads the parts of a generated T-SQL file the cross-check needs.
struct TsqlObject {
    procedure: bool,
    name: String,
    params: Vec<(String, bool)>,
    returns: Option<String>,
    table: Option<String>,
    method: String,
}

fn read_tsql(file: &GeneratedFile) -> TsqlObject {
    let lines: Vec<&str> = file
        .contents
        .lines()
        .filter(|l| !l.starts_with("--"))
        .collect();
    let header = lines[0];
    let procedure = header.starts_with("CREATE OR ALTER PROCEDURE");
    let name = header
        .rsplit("].[")
        .next()
        .unwrap()
        .trim_end_matches([']', '(', ')'])
        .replace("]]", "]");
    let mut params = Vec::new();
    let mut returns = None;
    let mut table = None;
    let mut method = String::new();
    let mut i = 1;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(p) = line.strip_prefix('@') {
            let p = p.trim_end_matches(',');
            let output = p.ends_with(" OUTPUT");
            let ty = p
                .trim_end_matches(" OUTPUT")
                .split_once(' ')
                .unwrap()
                .1
                .to_string();
            params.push((ty, output));
        } else if line == "RETURNS TABLE" {
            let mut columns = Vec::new();
            i += 2;
            while lines[i].trim() != ")" {
                columns.push(lines[i].trim().trim_end_matches(',').to_string());
                i += 1;
            }
            table = Some(columns.join(", "));
        } else if let Some(r) = line.strip_prefix("RETURNS ") {
            returns = Some(r.to_string());
        } else if let Some(external) = line.strip_prefix("AS EXTERNAL NAME ") {
            method = external
                .trim_end_matches(';')
                .rsplit("].[")
                .next()
                .unwrap()
                .trim_end_matches(']')
                .to_string();
            assert!(
                external.starts_with("[Hartonomous.Functions].[Hartonomous.Functions.Native]."),
                "{external}"
            );
        }
        i += 1;
    }
    TsqlObject {
        procedure,
        name,
        params,
        returns,
        table,
        method,
    }
}

#[test]
fn reflection_over_the_assembly_matches_the_generated_tsql() {
    let (mut h, model, files) = start();
    let signatures: Vec<Vec<String>> = h
        .signatures()
        .into_iter()
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    let mut checked = 0;
    for file in files.iter().filter(|f| {
        f.path.starts_with("sql/")
            && (f.path.contains("/functions/") || f.path.contains("/procedures/"))
            // T-SQL-bodied companions bind to nothing in the assembly.
            && f.contents.contains("AS EXTERNAL NAME ")
    }) {
        let object = read_tsql(file);
        let sig = signatures
            .iter()
            .find(|s| s[1] == object.method)
            .unwrap_or_else(|| {
                panic!(
                    "{}: EXTERNAL NAME method {} is not in the assembly",
                    file.path, object.method
                )
            });
        let routine = model
            .routines
            .iter()
            .find(|r| r.name.name == object.name)
            .expect("routine of the file");
        let expected_params: Vec<String> = object
            .params
            .iter()
            .map(|(ty, output)| {
                format!(
                    "{}{}",
                    if *output { "ref " } else { "" },
                    clr_type_for_sql(ty)
                )
            })
            .collect();
        if object.procedure {
            assert_eq!(sig[0], "PROCEDURE", "{}", file.path);
            assert_eq!(sig[2], object.name, "{}: SqlProcedure Name", file.path);
            assert_eq!(
                sig[3],
                expected_params.join(","),
                "{}: parameters",
                file.path
            );
            assert_eq!(sig[4], "Void");
        } else {
            assert_eq!(sig[0], "FUNCTION", "{}", file.path);
            assert_eq!(sig[2], object.name, "{}: SqlFunction Name", file.path);
            let options = routine.kind.function_options().unwrap();
            assert_eq!(
                sig[3],
                if options.deterministic {
                    "True"
                } else {
                    "False"
                },
                "{}: IsDeterministic",
                file.path
            );
            assert_eq!(
                sig[4],
                if options.precise { "True" } else { "False" },
                "{}: IsPrecise",
                file.path
            );
            assert_eq!(sig[5], "None", "{}: DataAccess", file.path);
            assert_eq!(
                sig[8],
                expected_params.join(","),
                "{}: parameters",
                file.path
            );
            match (&object.table, &object.returns) {
                (Some(columns), _) => {
                    assert!(matches!(routine.kind, RoutineKind::TableFunction { .. }));
                    assert_eq!(
                        &sig[7], columns,
                        "{}: TableDefinition vs RETURNS TABLE",
                        file.path
                    );
                    assert_eq!(sig[9], "IEnumerable");
                    let fill = signatures
                        .iter()
                        .find(|s| s[1] == sig[6])
                        .expect("FillRow method exists");
                    let column_types: Vec<String> = columns
                        .split(", ")
                        .map(|c| format!("ref {}", clr_type_for_sql(c.rsplit(' ').next().unwrap())))
                        .collect();
                    assert_eq!(
                        fill[2],
                        format!("Object,{}", column_types.join(",")),
                        "{}: FillRow",
                        file.path
                    );
                }
                (None, Some(returns)) => assert_eq!(
                    sig[9],
                    clr_type_for_sql(returns),
                    "{}: return type",
                    file.path
                ),
                (None, None) => panic!("{}: neither RETURNS nor RETURNS TABLE", file.path),
            }
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        model.routines.iter().filter(|r| r.is_native()).count()
    );
}

#[test]
fn bridge_with_an_explicit_native_path_compiles() {
    let options = EmitOptions {
        native_path: Some(r"C:\Program Files\Hartonomous\functions.dll".into()),
        ..EmitOptions::default()
    };
    let generation = codegen::output::generate(&workspace_root(), "functions/src/lib.rs", &options);
    assert!(generation.diagnostics.is_empty());
    let runtime = generation
        .files
        .iter()
        .find(|f| f.path == "csharp/Bridge.g.cs")
        .unwrap();
    assert!(
        runtime
            .contents
            .contains(r#"LoadLibraryW("C:\\Program Files\\Hartonomous\\functions.dll")"#),
        "{}",
        runtime.contents
    );
    let sources: Vec<&GeneratedFile> = generation
        .files
        .iter()
        .filter(|f| f.path.ends_with(".cs"))
        .collect();
    // Starting the harness compiles the bridge with mcs; on Linux the loader is skipped.
    let mut harness =
        ClrHarness::start(&workspace_root(), &sources, CLASS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        harness.call("vector__vector_norm", &[Arg::floats(&[3.0, 4.0])]),
        ok(float(Some(5.0)))
    );
}
