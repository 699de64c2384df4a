//! [`TestPki`]: a throw-away certificate authority (rcgen, ECDSA P-256) and the certificates
//! TLS tests need, made fresh for each test (or once per test binary) and written as PEM
//! files into a [`TempDir`] that is deleted on drop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The password of [`TestPki::client_key_encrypted_path`].
pub const CLIENT_KEY_PASSWORD: &str = "hip-test-password";

/// The server certificates a [`TestPki`] issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerCert {
    /// Issued by the CA for DNS name `localhost` and IP address `127.0.0.1`, valid 2020-2099.
    Valid,
    /// Like `Valid`, but its validity ended on 2001-01-01.
    Expired,
    /// Issued by the CA for `wrong.example` only.
    WrongHost,
    /// For `localhost` and `127.0.0.1`, but self-signed: no CA vouches for it.
    SelfSigned,
}

impl ServerCert {
    /// Every kind, for loops.
    pub const ALL: [ServerCert; 4] = [
        ServerCert::Valid,
        ServerCert::Expired,
        ServerCert::WrongHost,
        ServerCert::SelfSigned,
    ];

    fn file_stem(self) -> &'static str {
        match self {
            ServerCert::Valid => "server-valid",
            ServerCert::Expired => "server-expired",
            ServerCert::WrongHost => "server-wrong-host",
            ServerCert::SelfSigned => "server-self-signed",
        }
    }
}

/// A certificate with its private key, in DER and PEM.
#[derive(Debug)]
pub struct Identity {
    cert_der: CertificateDer<'static>,
    key_pkcs8: Vec<u8>,
    cert_pem: String,
    key_pem: String,
}

impl Identity {
    fn new(cert: &rcgen::Certificate, key: &KeyPair) -> Identity {
        Identity {
            cert_der: cert.der().clone(),
            key_pkcs8: key.serialize_der(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// The certificate chain to present: just the leaf (the CA is the trust anchor).
    pub fn cert_chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.cert_der.clone()]
    }

    /// The leaf certificate in DER (e.g. to compute a fingerprint, or to compare with what a
    /// server saw).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// The private key (PKCS#8).
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_pkcs8.clone()))
    }

    /// The private key as PKCS#8 DER bytes (e.g. to re-encode it as SEC1 or encrypt it).
    pub fn key_der(&self) -> &[u8] {
        &self.key_pkcs8
    }

    /// The certificate as a `CERTIFICATE` PEM block.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The key as an unencrypted `PRIVATE KEY` (PKCS#8) PEM block.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }
}

/// A CA plus server and client certificates, and PEM files of them in a private [`TempDir`]
/// that is removed on drop.
///
/// The files are written when a path is first asked for ([`TestPki::dir`], the `*_path`
/// methods, [`TestPki::write_file`]), so a `TestPki` used only in memory (say, once per test
/// binary in a `static`) leaves nothing behind.
///
/// Files in [`TestPki::dir`]: `ca.pem`; `client.pem`, `client.key`, `client-encrypted.key`
/// (PKCS#8 PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC, password [`CLIENT_KEY_PASSWORD`]),
/// `client-combined.pem` (certificate then key); and `server-valid`, `server-expired`,
/// `server-wrong-host`, `server-self-signed` each as `.pem` (certificate) and `.key`.
pub struct TestPki {
    ca_cert: rcgen::Certificate,
    ca_key: KeyPair,
    servers: Vec<(ServerCert, Identity)>,
    client: Identity,
    client_key_encrypted_pem: String,
    files: OnceLock<TempDir>,
}

static PKI_COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestPki {
    /// Makes a new CA and every certificate (the files are written on first use).
    pub fn new() -> TestPki {
        let ca_key = KeyPair::generate().expect("generate the CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "hip test CA");
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "hip tests");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = date_time_ymd(2020, 1, 1);
        ca_params.not_after = date_time_ymd(2099, 1, 1);
        let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign the CA");

        let ca = Some((&ca_cert, &ca_key));
        let localhost = ["localhost", "127.0.0.1"];
        let servers = vec![
            (
                ServerCert::Valid,
                issue(ca, &localhost, Usage::Server, Validity::Current),
            ),
            (
                ServerCert::Expired,
                issue(ca, &localhost, Usage::Server, Validity::Expired),
            ),
            (
                ServerCert::WrongHost,
                issue(ca, &["wrong.example"], Usage::Server, Validity::Current),
            ),
            (
                ServerCert::SelfSigned,
                issue(None, &localhost, Usage::Server, Validity::Current),
            ),
        ];
        let client = issue(ca, &[], Usage::Client, Validity::Current);
        // Salt and IV need to be unpredictable only for real secrets; these keys are
        // throw-away, so derive them from the process and a counter.
        let seed =
            (u64::from(std::process::id()) << 32) | PKI_COUNTER.fetch_add(1, Ordering::SeqCst);
        let client_key_encrypted_pem = encrypt_key(&client.key_pkcs8, CLIENT_KEY_PASSWORD, seed);
        TestPki {
            ca_cert,
            ca_key,
            servers,
            client,
            client_key_encrypted_pem,
            files: OnceLock::new(),
        }
    }

    /// Issues a further server certificate from the CA for `names` (DNS names or IP
    /// addresses), valid 2020-2099; it is not written to a file.
    pub fn issue_server_cert(&self, names: &[&str]) -> Identity {
        let ca = Some((&self.ca_cert, &self.ca_key));
        issue(ca, names, Usage::Server, Validity::Current)
    }

    /// The CA certificate (DER), to put in a client's root store.
    pub fn ca_cert(&self) -> CertificateDer<'static> {
        self.ca_cert.der().clone()
    }

    /// The CA certificate as PEM (the contents of `ca.pem`).
    pub fn ca_pem(&self) -> String {
        self.ca_cert.pem()
    }

    /// A rustls root store holding only the CA.
    pub fn root_store(&self) -> rustls::RootCertStore {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.ca_cert())
            .expect("the CA certificate parses");
        roots
    }

    /// One of the server certificates.
    pub fn server(&self, which: ServerCert) -> &Identity {
        self.servers
            .iter()
            .find(|(kind, _)| *kind == which)
            .map(|(_, identity)| identity)
            .expect("TestPki::new issues every ServerCert")
    }

    /// The client certificate: issued by the CA, CN `hip test client`, client-auth usage.
    pub fn client(&self) -> &Identity {
        &self.client
    }

    /// The temporary directory holding the PEM files (written now if they aren't yet).
    pub fn dir(&self) -> &Path {
        self.files().path()
    }

    /// `ca.pem`: the CA bundle to give a client as `ca_certs`.
    pub fn ca_bundle_path(&self) -> PathBuf {
        self.dir().join("ca.pem")
    }

    /// `client.pem`: the client certificate.
    pub fn client_cert_path(&self) -> PathBuf {
        self.dir().join("client.pem")
    }

    /// `client.key`: the client key, unencrypted PKCS#8.
    pub fn client_key_path(&self) -> PathBuf {
        self.dir().join("client.key")
    }

    /// `client-encrypted.key`: the client key as an `ENCRYPTED PRIVATE KEY` PEM block,
    /// password [`CLIENT_KEY_PASSWORD`].
    pub fn client_key_encrypted_path(&self) -> PathBuf {
        self.dir().join("client-encrypted.key")
    }

    /// `client-combined.pem`: the client certificate followed by its unencrypted key.
    pub fn client_combined_path(&self) -> PathBuf {
        self.dir().join("client-combined.pem")
    }

    /// `server-*.pem`: a server certificate, e.g. for a third-party server in interop tests.
    pub fn server_cert_path(&self, which: ServerCert) -> PathBuf {
        self.dir().join(format!("{}.pem", which.file_stem()))
    }

    /// `server-*.key`: that server certificate's unencrypted key.
    pub fn server_key_path(&self, which: ServerCert) -> PathBuf {
        self.dir().join(format!("{}.key", which.file_stem()))
    }

    /// Writes `contents` to `name` in the directory (e.g. a deliberately broken bundle) and
    /// returns its path; it is removed with the directory.
    pub fn write_file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        self.files().write(name, contents)
    }

    /// The client key encrypted with [`CLIENT_KEY_PASSWORD`], as PEM.
    pub fn client_key_encrypted_pem(&self) -> &str {
        &self.client_key_encrypted_pem
    }

    /// The directory with every PEM file, made on first use.
    fn files(&self) -> &TempDir {
        self.files.get_or_init(|| {
            let dir = TempDir::new();
            dir.write("ca.pem", self.ca_pem());
            dir.write("client.pem", &self.client.cert_pem);
            dir.write("client.key", &self.client.key_pem);
            dir.write("client-encrypted.key", &self.client_key_encrypted_pem);
            dir.write(
                "client-combined.pem",
                format!("{}{}", self.client.cert_pem, self.client.key_pem),
            );
            for (kind, identity) in &self.servers {
                let stem = kind.file_stem();
                dir.write(&format!("{stem}.pem"), &identity.cert_pem);
                dir.write(&format!("{stem}.key"), &identity.key_pem);
            }
            dir
        })
    }
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPki")
            .field("dir", &self.files.get().map(TempDir::path))
            .finish_non_exhaustive()
    }
}

impl Default for TestPki {
    fn default() -> Self {
        TestPki::new()
    }
}

/// A fresh directory `std::env::temp_dir()/hip-test-<pid>-<n>`, removed with its contents
/// on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

static DIR_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TempDir {
    /// Creates the directory (removing a stale one an earlier process with the same pid left).
    pub fn new() -> TempDir {
        let n = DIR_COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("hip-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("create test directory {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to the file `name` in the directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("write test file {}: {e}", path.display()));
        path
    }
}

impl Default for TempDir {
    fn default() -> Self {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy)]
enum Usage {
    Server,
    Client,
}

#[derive(Clone, Copy)]
enum Validity {
    Current,
    Expired,
}

/// A certificate for `names`, signed by `ca` (or self-signed without one).
fn issue(
    ca: Option<(&rcgen::Certificate, &KeyPair)>,
    names: &[&str],
    usage: Usage,
    validity: Validity,
) -> Identity {
    let key = KeyPair::generate().expect("generate a key");
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let common_name = match (usage, names.first()) {
        (Usage::Client, _) => "hip test client".to_string(),
        (Usage::Server, Some(first)) => first.clone(),
        (Usage::Server, None) => "hip test server".to_string(),
    };
    let mut params = CertificateParams::new(names).expect("valid subject alt names");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![match usage {
        Usage::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Usage::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    (params.not_before, params.not_after) = match validity {
        Validity::Current => (date_time_ymd(2020, 1, 1), date_time_ymd(2099, 1, 1)),
        Validity::Expired => (date_time_ymd(2000, 1, 1), date_time_ymd(2001, 1, 1)),
    };
    let cert = match ca {
        Some((ca_cert, ca_key)) => params
            .signed_by(&key, ca_cert, ca_key)
            .expect("sign with the CA"),
        None => params.self_signed(&key).expect("self-sign"),
    };
    Identity::new(&cert, &key)
}

/// `key_pkcs8` as an `ENCRYPTED PRIVATE KEY` PEM block (what `openssl pkcs8 -topk8 -v2 aes256`
/// writes): PBES2 with PBKDF2-HMAC-SHA256 (2048 iterations) and AES-256-CBC.
fn encrypt_key(key_pkcs8: &[u8], password: &str, seed: u64) -> String {
    use pkcs8::pkcs5::pbes2;
    let random = crate::payload::pseudo_random_bytes(32, seed);
    let salt = &random[..16];
    let iv: [u8; 16] = random[16..].try_into().expect("16 bytes");
    let params =
        pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, salt, &iv).expect("PBES2 parameters");
    let info = pkcs8::PrivateKeyInfo::try_from(key_pkcs8).expect("rcgen writes valid PKCS#8");
    let doc = info
        .encrypt_with_params(params, password)
        .expect("encrypt the key");
    doc.to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF)
        .expect("PEM-encode the encrypted key")
        .to_string()
}
