//! Connecting to a live server with tiberius from an ADO.NET-style
//! connection string. The string is never printed, written or logged:
//! errors name the key at fault, never a value.
//!
//! TLS is the default: a string without `Encrypt` gets `Encrypt=true`, and
//! the server's certificate is verified against the system's roots. A
//! self-signed certificate can be trusted only for a server on this machine
//! (`--trust-server-certificate`, or `TrustServerCertificate=true` in the
//! string), never for a remote one.

use std::fmt;
use tiberius::{AuthMethod, Client, Config, EncryptionLevel};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// Where `plan` and `deploy` read the connection string when no flag gives it.
pub const CONNECTION_ENV: &str = "HARTONOMOUS_CONNECTION_STRING";
/// An Azure AD (Entra ID) access token, used instead of the string's login.
pub const ACCESS_TOKEN_ENV: &str = "HARTONOMOUS_ACCESS_TOKEN";

/// What a connection is made from.
#[derive(Clone, Default)]
pub struct ConnectOptions {
    pub connection_string: String,
    /// Trust a self-signed certificate; only for a server on this machine.
    pub trust_local_certificate: bool,
    /// Authenticate with this Azure AD access token.
    pub access_token: Option<String>,
}

// The string holds a password: never show it, even in debug output.
impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("connection_string", &"<hidden>")
            .field("trust_local_certificate", &self.trust_local_certificate)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<hidden>"),
            )
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// No connection string was given.
    Missing,
    /// The string does not parse; the message names no value.
    Invalid(String),
    /// A certificate would be trusted unverified for another machine.
    RemoteTrust { host: String },
    /// The TCP connection or the login failed.
    Failed { server: String, message: String },
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Missing => write!(
                f,
                "no connection string: pass --connection-string or set {CONNECTION_ENV} (an ADO.NET string: Server=tcp:host,1433;Database=..;User Id=..;Password=..)"
            ),
            ConnectError::Invalid(message) => {
                write!(f, "the connection string is not valid: {message}")
            }
            ConnectError::RemoteTrust { host } => write!(
                f,
                "refusing to trust an unverified certificate for {host}: that is only allowed for a server on this machine (localhost, 127.0.0.1, ::1); give the server a certificate its clients can verify"
            ),
            ConnectError::Failed { server, message } => {
                write!(f, "cannot connect to {server}: {message}")
            }
        }
    }
}

impl std::error::Error for ConnectError {}

/// The `key=value` pairs of a connection string, keys lower-cased and
/// spaces removed (as ADO.NET compares them).
fn pairs(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .filter_map(|part| part.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_lowercase().replace(' ', ""),
                v.trim().to_string(),
            )
        })
        .collect()
}

/// Whether a host names this machine.
pub fn is_local(host: &str) -> bool {
    let host = host.trim_start_matches("tcp:").trim_matches(['[', ']']);
    let host = host.split(['\\', ',']).next().unwrap_or(host);
    matches!(
        host.to_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1" | "." | "(local)"
    )
}

/// A message from tiberius about the string, with every value of the string
/// taken out (a parse error may quote the text it choked on).
fn redact(message: &str, text: &str) -> String {
    let mut out = message.to_string();
    for (_, value) in pairs(text) {
        if value.len() >= 2 {
            out = out.replace(&value, "<hidden>");
        }
    }
    out
}

/// The tiberius configuration for these options, TLS required unless the
/// string says otherwise.
pub fn server_config(options: &ConnectOptions) -> Result<Config, ConnectError> {
    let text = options.connection_string.trim();
    if text.is_empty() {
        return Err(ConnectError::Missing);
    }
    let mut config = Config::from_ado_string(text)
        .map_err(|e| ConnectError::Invalid(redact(&e.to_string(), text)))?;
    let pairs = pairs(text);
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.to_lowercase())
    };
    if value("encrypt").is_none() {
        config.encryption(EncryptionLevel::Required);
    }
    let host = config
        .get_addr()
        .rsplit_once(':')
        .map(|(h, _)| h.to_string())
        .unwrap_or_default();
    let string_trusts = matches!(
        value("trustservercertificate").as_deref(),
        Some("true" | "yes")
    );
    if (string_trusts || options.trust_local_certificate) && !is_local(&host) {
        return Err(ConnectError::RemoteTrust { host });
    }
    if options.trust_local_certificate {
        config.trust_cert();
    }
    if let Some(token) = &options.access_token {
        config.authentication(AuthMethod::aad_token(token));
    }
    Ok(config)
}

/// The client `plan` and `deploy` use.
pub type LiveClient = Client<Compat<TcpStream>>;

/// Connects and logs in, following one redirect (Azure SQL's gateway).
pub async fn connect(config: Config) -> Result<LiveClient, ConnectError> {
    let server = config.get_addr();
    let failed = |message: String| ConnectError::Failed {
        server: server.clone(),
        message,
    };
    let tcp = TcpStream::connect(config.get_addr())
        .await
        .map_err(|e| failed(e.to_string()))?;
    tcp.set_nodelay(true).map_err(|e| failed(e.to_string()))?;
    match Client::connect(config.clone(), tcp.compat_write()).await {
        Ok(client) => Ok(client),
        Err(tiberius::error::Error::Routing { host, port }) => {
            let mut config = config;
            config.host(&host);
            config.port(port);
            let tcp = TcpStream::connect(config.get_addr())
                .await
                .map_err(|e| failed(e.to_string()))?;
            tcp.set_nodelay(true).map_err(|e| failed(e.to_string()))?;
            Client::connect(config, tcp.compat_write())
                .await
                .map_err(|e| failed(e.to_string()))
        }
        Err(e) => Err(failed(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(text: &str) -> ConnectOptions {
        ConnectOptions {
            connection_string: text.into(),
            ..ConnectOptions::default()
        }
    }

    #[test]
    fn tls_is_required_unless_the_string_says_otherwise() {
        let config = server_config(&options(
            "Server=tcp:db.example.com,1433;Database=app;User Id=deployer;Password=s3cret!",
        ))
        .unwrap();
        assert_eq!(config.get_addr(), "db.example.com:1433");
        // The string's own choice stands.
        server_config(&options(
            "Server=tcp:db,1433;Encrypt=false;User Id=a;Password=b",
        ))
        .unwrap();
    }

    #[test]
    fn certificates_are_trusted_unverified_only_on_this_machine() {
        let mut local = options("Server=tcp:localhost,1433;User Id=sa;Password=pw");
        local.trust_local_certificate = true;
        server_config(&local).unwrap();
        let mut remote = options("Server=tcp:db.example.com,1433;User Id=sa;Password=pw");
        remote.trust_local_certificate = true;
        assert_eq!(
            server_config(&remote).unwrap_err(),
            ConnectError::RemoteTrust {
                host: "db.example.com".into()
            }
        );
        let in_string =
            options("Server=tcp:10.0.0.5,1433;TrustServerCertificate=true;User Id=sa;Password=pw");
        assert!(matches!(
            server_config(&in_string),
            Err(ConnectError::RemoteTrust { .. })
        ));
        assert!(is_local("127.0.0.1") && is_local("tcp:localhost") && is_local("[::1]"));
        assert!(!is_local("localhost.example.com"));
    }

    #[test]
    fn errors_and_debug_output_never_show_the_password() {
        assert_eq!(
            server_config(&options("  ")).unwrap_err(),
            ConnectError::Missing
        );
        let secret = "Sup3r-S3cret";
        let opts = ConnectOptions {
            connection_string: format!("Server=tcp:db,1433;Password={secret};Port=notaport"),
            trust_local_certificate: false,
            access_token: Some("token-value".into()),
        };
        assert!(!format!("{opts:?}").contains(secret));
        assert!(!format!("{opts:?}").contains("token-value"));
        if let Err(e) = server_config(&opts) {
            assert!(!e.to_string().contains(secret), "{e}");
        }
        assert_eq!(
            redact("bad value Sup3r-S3cret", &opts.connection_string),
            "bad value <hidden>"
        );
    }
}
