//! A small TDS 7.4 responder on loopback: enough of SQL Server's side of the
//! protocol (MS-TDS) for tiberius to log in without TLS and read canned
//! result sets, so client code is tested over a real TDS exchange rather
//! than on hand-built values. Each request (SQL batch or RPC) is recorded
//! and answered with the next canned response.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A column's TDS type, as the responder declares it in COLMETADATA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TdsType {
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Bit,
    Real,
    Float,
    /// NVARCHAR(n), n in characters (at most 4000).
    NVarChar(u16),
    /// VARBINARY(n), n in bytes (at most 8000).
    VarBinary(u16),
    /// DATETIME2(7).
    DateTime2,
}

/// One value of a canned row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    U8(u8),
    I16(i16),
    I32(i32),
    I64(i64),
    Bool(bool),
    F32(f32),
    F64(f64),
    Text(String),
    Bytes(Vec<u8>),
    /// Days since 0001-01-01 and 100-nanosecond ticks since midnight.
    DateTime2 {
        days: u32,
        ticks: u64,
    },
}

/// A canned result set.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSet {
    pub columns: Vec<(String, TdsType)>,
    pub rows: Vec<Vec<Cell>>,
}

impl ResultSet {
    pub fn new(columns: &[(&str, TdsType)], rows: Vec<Vec<Cell>>) -> Self {
        ResultSet {
            columns: columns.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
            rows,
        }
    }
}

/// What the responder answers one request with.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Sets(Vec<ResultSet>),
    /// An ERROR token (severity 16) and a final DONE with its error bit,
    /// as SQL Server answers a failing batch.
    Error {
        number: i32,
        message: String,
        line: i32,
    },
}

/// A request the client sent: its TDS packet type and payload.
#[derive(Debug, Clone)]
pub struct Request {
    /// 0x01 SQL batch, 0x03 RPC.
    pub kind: u8,
    pub payload: Vec<u8>,
}

impl Request {
    /// Whether the payload holds `text` as UTF-16LE (SQL text and string
    /// parameters travel so).
    pub fn contains_text(&self, text: &str) -> bool {
        let needle: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        !needle.is_empty() && self.payload.windows(needle.len()).any(|w| w == needle)
    }
}

/// The responder: a loopback address and what it has been sent.
pub struct Responder {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Request>>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Responder {
    /// Listens on 127.0.0.1 (any free port) for one connection, answering
    /// its requests with `responses` in order.
    pub fn start(responses: Vec<Vec<ResultSet>>) -> io::Result<Self> {
        Self::start_replies(responses.into_iter().map(Reply::Sets).collect())
    }

    /// As [`Responder::start`], with errors among the answers.
    pub fn start_replies(responses: Vec<Reply>) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept()?;
            serve(stream, responses, &recorded)
        });
        Ok(Responder {
            addr,
            requests,
            thread: Some(thread),
        })
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests lock").clone()
    }

    /// Waits for the connection to end and reports the responder's own error.
    pub fn finish(mut self) -> io::Result<()> {
        match self.thread.take() {
            Some(t) => t.join().expect("responder thread panicked"),
            None => Ok(()),
        }
    }
}

const PACKET_SIZE: usize = 4096;
const HEADER: usize = 8;

/// Reads one message (packets until end-of-message): its type and payload.
fn read_message(stream: &mut TcpStream) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut payload = Vec::new();
    loop {
        let mut header = [0u8; HEADER];
        match stream.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && payload.is_empty() => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
        let length = u16::from_be_bytes([header[2], header[3]]) as usize;
        if length < HEADER {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("TDS packet length {length} is shorter than its header"),
            ));
        }
        let mut body = vec![0u8; length - HEADER];
        stream.read_exact(&mut body)?;
        payload.extend_from_slice(&body);
        if header[1] & 0x01 != 0 {
            return Ok(Some((header[0], payload)));
        }
    }
}

/// Sends `payload` as a message of `kind`, split into packets.
fn write_message(stream: &mut TcpStream, kind: u8, payload: &[u8]) -> io::Result<()> {
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![&[]]
    } else {
        payload.chunks(PACKET_SIZE - HEADER).collect()
    };
    for (i, chunk) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len();
        let length = (chunk.len() + HEADER) as u16;
        let mut packet = vec![kind, u8::from(last)];
        packet.extend_from_slice(&length.to_be_bytes());
        packet.extend_from_slice(&[0, 0, (i + 1) as u8, 0]);
        packet.extend_from_slice(chunk);
        stream.write_all(&packet)?;
    }
    stream.flush()
}

/// The PRELOGIN answer: version, no encryption, no instance, no MARS.
fn prelogin_response() -> Vec<u8> {
    let options: [(u8, Vec<u8>); 5] = [
        (0x00, vec![16, 0, 0x07, 0xD0, 0, 0]), // VERSION 16.0.2000, subbuild 0
        (0x01, vec![0x02]),                    // ENCRYPTION: ENCRYPT_NOT_SUP
        (0x02, vec![0x00]),                    // INSTOPT: default instance
        (0x03, vec![0, 0, 0, 0]),              // THREADID
        (0x04, vec![0x00]),                    // MARS off
    ];
    let mut headers = Vec::new();
    let mut data = Vec::new();
    let mut offset = options.len() * 5 + 1;
    for (token, value) in &options {
        headers.push(*token);
        headers.extend_from_slice(&(offset as u16).to_be_bytes());
        headers.extend_from_slice(&(value.len() as u16).to_be_bytes());
        data.extend_from_slice(value);
        offset += value.len();
    }
    headers.push(0xFF);
    headers.extend(data);
    headers
}

fn b_varchar(out: &mut Vec<u8>, text: &str) {
    let units: Vec<u16> = text.encode_utf16().collect();
    out.push(units.len() as u8);
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

/// DONE: final, or with more results to follow.
fn done(out: &mut Vec<u8>, more: bool, rows: u64) {
    out.push(0xFD);
    let status: u16 = 0x10 | u16::from(more);
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&rows.to_le_bytes());
}

fn login_response() -> Vec<u8> {
    let mut body = vec![0x01]; // interface: SQL
    // TDS version: big-endian on the wire (MS-TDS 2.2.7.14), 7.4.
    body.extend_from_slice(&0x7400_0004u32.to_be_bytes());
    b_varchar(&mut body, "Hartonomous test responder");
    body.extend_from_slice(&[16, 0, 0x07, 0xD0]);
    let mut out = vec![0xAD];
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend(body);
    done(&mut out, false, 0);
    out
}

/// Latin1_General_CI_AS.
const COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34];

fn type_info(out: &mut Vec<u8>, ty: TdsType) {
    match ty {
        TdsType::TinyInt => out.extend_from_slice(&[0x26, 1]),
        TdsType::SmallInt => out.extend_from_slice(&[0x26, 2]),
        TdsType::Int => out.extend_from_slice(&[0x26, 4]),
        TdsType::BigInt => out.extend_from_slice(&[0x26, 8]),
        TdsType::Bit => out.extend_from_slice(&[0x68, 1]),
        TdsType::Real => out.extend_from_slice(&[0x6D, 4]),
        TdsType::Float => out.extend_from_slice(&[0x6D, 8]),
        TdsType::NVarChar(n) => {
            out.push(0xE7);
            out.extend_from_slice(&(n * 2).to_le_bytes());
            out.extend_from_slice(&COLLATION);
        }
        TdsType::VarBinary(n) => {
            out.push(0xA5);
            out.extend_from_slice(&n.to_le_bytes());
        }
        TdsType::DateTime2 => out.extend_from_slice(&[0x2A, 7]),
    }
}

fn cell(out: &mut Vec<u8>, ty: TdsType, value: &Cell) -> io::Result<()> {
    let mismatch = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("canned value {value:?} does not fit {ty:?}"),
        )
    };
    let short_length_types = matches!(ty, TdsType::NVarChar(_) | TdsType::VarBinary(_));
    if *value == Cell::Null {
        if short_length_types {
            out.extend_from_slice(&0xFFFFu16.to_le_bytes());
        } else {
            out.push(0);
        }
        return Ok(());
    }
    let fixed = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.push(bytes.len() as u8);
        out.extend_from_slice(bytes);
    };
    match (ty, value) {
        (TdsType::TinyInt, Cell::U8(v)) => fixed(out, &[*v]),
        (TdsType::SmallInt, Cell::I16(v)) => fixed(out, &v.to_le_bytes()),
        (TdsType::Int, Cell::I32(v)) => fixed(out, &v.to_le_bytes()),
        (TdsType::BigInt, Cell::I64(v)) => fixed(out, &v.to_le_bytes()),
        (TdsType::Bit, Cell::Bool(v)) => fixed(out, &[u8::from(*v)]),
        (TdsType::Real, Cell::F32(v)) => fixed(out, &v.to_le_bytes()),
        (TdsType::Float, Cell::F64(v)) => fixed(out, &v.to_le_bytes()),
        (TdsType::NVarChar(_), Cell::Text(t)) => {
            let bytes: Vec<u8> = t.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            out.extend(bytes);
        }
        (TdsType::VarBinary(_), Cell::Bytes(b)) => {
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(b);
        }
        (TdsType::DateTime2, Cell::DateTime2 { days, ticks }) => {
            // Scale 7: 5 bytes of ticks, then 3 bytes of days.
            out.push(8);
            out.extend_from_slice(&ticks.to_le_bytes()[..5]);
            out.extend_from_slice(&days.to_le_bytes()[..3]);
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

fn result_sets(sets: &[ResultSet]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        out.push(0x81);
        out.extend_from_slice(&(set.columns.len() as u16).to_le_bytes());
        for (name, ty) in &set.columns {
            out.extend_from_slice(&0u32.to_le_bytes()); // user type
            out.extend_from_slice(&0x0001u16.to_le_bytes()); // flags: nullable
            type_info(&mut out, *ty);
            b_varchar(&mut out, name);
        }
        for row in &set.rows {
            if row.len() != set.columns.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "a canned row has {} cells for {} columns",
                        row.len(),
                        set.columns.len()
                    ),
                ));
            }
            out.push(0xD1);
            for ((_, ty), value) in set.columns.iter().zip(row) {
                cell(&mut out, *ty, value)?;
            }
        }
        done(&mut out, i + 1 < sets.len(), set.rows.len() as u64);
    }
    if sets.is_empty() {
        done(&mut out, false, 0);
    }
    Ok(out)
}

fn error_reply(number: i32, message: &str, line: i32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&number.to_le_bytes());
    body.push(1); // state
    body.push(16); // class: a user error
    let units: Vec<u16> = message.encode_utf16().collect();
    body.extend_from_slice(&(units.len() as u16).to_le_bytes());
    for u in units {
        body.extend_from_slice(&u.to_le_bytes());
    }
    b_varchar(&mut body, "responder");
    b_varchar(&mut body, "");
    body.extend_from_slice(&line.to_le_bytes());
    let mut out = vec![0xAA];
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend(body);
    // DONE with DONE_ERROR (0x02) and no count.
    out.push(0xFD);
    out.extend_from_slice(&0x0002u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    out
}

fn serve(
    mut stream: TcpStream,
    responses: Vec<Reply>,
    recorded: &Mutex<Vec<Request>>,
) -> io::Result<()> {
    let protocol = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    match read_message(&mut stream)? {
        Some((0x12, _)) => write_message(&mut stream, 0x04, &prelogin_response())?,
        other => return Err(protocol(format!("expected PRELOGIN, got {other:?}"))),
    }
    match read_message(&mut stream)? {
        Some((0x10, _)) => write_message(&mut stream, 0x04, &login_response())?,
        other => return Err(protocol(format!("expected LOGIN7, got {other:?}"))),
    }
    let mut responses = responses.into_iter();
    while let Some((kind, payload)) = read_message(&mut stream)? {
        recorded
            .lock()
            .expect("requests lock")
            .push(Request { kind, payload });
        let reply = responses
            .next()
            .ok_or_else(|| protocol("a request beyond the canned responses".into()))?;
        let payload = match reply {
            Reply::Sets(sets) => result_sets(&sets)?,
            Reply::Error {
                number,
                message,
                line,
            } => error_reply(number, &message, line),
        };
        write_message(&mut stream, 0x04, &payload)?;
    }
    Ok(())
}

/// DATETIME2 parts for a date and time of day.
pub fn datetime2(year: i32, month: u32, day: u32, seconds_of_day: u64) -> Cell {
    // Days from 0001-01-01 by the proleptic Gregorian calendar.
    let days_before_year = |y: i32| {
        let y = (y - 1) as i64;
        y * 365 + y / 4 - y / 100 + y / 400
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let days = days_before_year(year)
        + month_days[..(month - 1) as usize].iter().sum::<i64>()
        + (day - 1) as i64;
    Cell::DateTime2 {
        days: days as u32,
        ticks: seconds_of_day * 10_000_000,
    }
}

/// The client the tests use: tiberius over a tokio TCP stream.
pub type TestClient = tiberius::Client<tokio_util::compat::Compat<tokio::net::TcpStream>>;

/// Runs `body` with a tiberius client logged in to a responder answering
/// with `responses` (no TLS: the responder offers none); returns what the
/// client sent.
pub fn exchange<F, Fut>(responses: Vec<Vec<ResultSet>>, body: F) -> Vec<Request>
where
    F: FnOnce(TestClient) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    exchange_replies(responses.into_iter().map(Reply::Sets).collect(), body)
}

/// As [`exchange`], with errors among the answers.
pub fn exchange_replies<F, Fut>(responses: Vec<Reply>, body: F) -> Vec<Request>
where
    F: FnOnce(TestClient) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use tiberius::{AuthMethod, Client, Config, EncryptionLevel};
    use tokio_util::compat::TokioAsyncWriteCompatExt;
    let responder = Responder::start_replies(responses).expect("responder listens");
    let addr = responder.addr;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async move {
            let mut config = Config::new();
            config.host("127.0.0.1");
            config.port(addr.port());
            config.authentication(AuthMethod::sql_server("tester", "not-a-secret"));
            config.encryption(EncryptionLevel::NotSupported);
            let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            let client = Client::connect(config, tcp.compat_write())
                .await
                .expect("tiberius logs in to the responder");
            body(client).await;
        });
    let requests = responder.requests();
    responder
        .finish()
        .expect("the responder saw a clean exchange");
    requests
}
