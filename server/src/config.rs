//! Command line and environment: `mpforge [--data-dir D] [--addr A] [--public-url U] [COMMAND]`.
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "mpforge",
    version,
    about = "Build WeChat mini programs without code"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Where the embedded database lives.
    #[arg(long, env = "MPFORGE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// The store: sled:DIR (embedded, the default: the data directory) or
    /// postgres://USER[:PASSWORD]@HOST:PORT/DB (several nodes sharing one database).
    #[arg(long, env = "MPFORGE_STORE", global = true)]
    pub store: Option<String>,

    /// Where pictures and packages go: file://DIR or s3://BUCKET?endpoint=URL&region=R
    /// (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Default: inside the
    /// embedded database; required with a PostgreSQL store.
    #[arg(long, env = "MPFORGE_BLOBS", global = true)]
    pub blobs: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "MPFORGE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The address users reach mpforge at (e.g. https://mp.example.com); https turns on
    /// Secure cookies.
    #[arg(long, env = "MPFORGE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// WeChat's API host (a fake one for local tries: `mpforge dev-wechat`).
    #[arg(long, env = "MPFORGE_WECHAT_API_BASE", default_value = crate::wechat::client::DEFAULT_API_BASE, global = true)]
    pub wechat_api_base: String,

    /// Where merchants authorize an agency's platform.
    #[arg(long, env = "MPFORGE_WECHAT_OPEN_BASE", default_value = crate::wechat::client::DEFAULT_OPEN_BASE, global = true)]
    pub wechat_open_base: String,

    /// The key sealing platform secrets at rest (default: secret.key in the data directory).
    #[arg(long, env = "MPFORGE_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,

    /// Built browser assets (wasm, JS, CSS), as produced by `cargo leptos build`.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Reverse proxies in front of mpforge (addresses or CIDR ranges, comma-separated): only
    /// from these is `X-Forwarded-For` believed to name the client.
    #[arg(long = "trusted-proxy", env = "MPFORGE_TRUSTED_PROXIES", value_delimiter = ',',
          value_parser = crate::proxies::parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Megabytes of pictures each merchant may keep (pictures no draft uses are deleted first
    /// when it is reached).
    #[arg(long, env = "MPFORGE_MEDIA_QUOTA_MB", default_value_t = crate::uploads::DEFAULT_QUOTA / (1024 * 1024),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub media_quota_mb: u64,

    /// Do not create the demo agency on an empty data directory.
    #[arg(long, env = "MPFORGE_NO_DEMO")]
    pub no_demo: bool,

    /// Background jobs this node runs at once (0: a web-only node).
    #[arg(long, env = "MPFORGE_WORKERS", default_value_t = 2)]
    pub workers: usize,

    /// Failed sign-ins a login gets before its attempts are spaced out (tests).
    #[arg(
        long,
        env = "MPFORGE_LOGIN_FREE_ATTEMPTS",
        default_value_t = 3,
        hide = true
    )]
    pub login_free_attempts: usize,

    /// The first wait, in seconds, once a login's free attempts are used (tests).
    #[arg(
        long,
        env = "MPFORGE_LOGIN_DELAY_SECS",
        default_value_t = 1,
        hide = true
    )]
    pub login_delay_secs: u64,

    /// Requests per second each scripting-API token may make on one node (bursts of three
    /// seconds' worth).
    #[arg(long, env = "MPFORGE_API_RATE", default_value_t = crate::http::api::DEFAULT_RATE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub api_rate: u32,

    /// Seconds a claimed job is held without a heartbeat before another node takes it over.
    #[arg(long, env = "MPFORGE_JOB_LEASE_SECS", default_value_t = crate::jobs::DEFAULT_LEASE.as_secs(),
          value_parser = clap::value_parser!(u64).range(3..))]
    pub job_lease_secs: u64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default; its flags go before the command: `mpforge --addr A`).
    Serve,
    /// Write every record as JSON lines (to a file, or standard output).
    ExportData {
        /// The file to write; standard output when left out.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Restore an export into an empty store (any engine), blobs included; checks every
    /// blob's hash and the counts the export wrote.
    ImportData {
        /// A file written by `export-data`.
        file: PathBuf,
    },
    /// Queue a rebuild of the package of every site of an agency (run by the job workers).
    Regenerate {
        /// The agency, by its admin's login.
        #[arg(long)]
        agency: String,
    },
    /// List an agency's background jobs, newest first.
    Jobs {
        /// The agency, by its admin's login.
        #[arg(long)]
        agency: String,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Print a starter site as JSON.
    NewSite {
        /// The template to start from.
        #[arg(long, value_parser = ["shop", "booking", "info"])]
        template: String,
        /// Language of the demo content and built-in labels: en or zh.
        #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
        lang: String,
    },
    /// Validate a site JSON file and list every problem.
    Check {
        /// The site file (JSON); pictures are files beside it.
        site: PathBuf,
        /// Language of the messages: en or zh.
        #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
        lang: String,
    },
    /// Generate the mini program package into a directory, or a .zip file.
    Generate {
        /// The site file (JSON); pictures are files beside it.
        site: PathBuf,
        /// Where to write the package: a directory, or a file ending in .zip.
        #[arg(long)]
        out: PathBuf,
    },
    /// Render one page as a self-contained HTML preview (the editor's phone preview).
    Preview {
        /// The site file (JSON); pictures are files beside it.
        site: PathBuf,
        /// The page: its number (1 is the first page) or its id.
        #[arg(long, default_value = "1")]
        page: String,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the JSON Schema of the site format (docs/site.schema.json).
    Schema,
    /// Write a QR code of a link: a PNG or an SVG (by the file's extension).
    Qr {
        /// What the code opens (a site's link: PUBLIC_URL/s/SITE_ID).
        #[arg(long)]
        url: String,
        /// The file to write: NAME.png or NAME.svg.
        #[arg(long)]
        out: PathBuf,
        /// Pixels per side, 280 to 1280.
        #[arg(long, default_value_t = 430)]
        size: u32,
        /// A picture to put in the centre (the shop's logo).
        #[arg(long)]
        logo: Option<PathBuf>,
    },
    /// Write a theme's platform template: the package an agency uploads once to its WeChat
    /// third-party platform's template library (each site then travels in its ext.json).
    Template {
        #[arg(long, value_parser = ["shop", "booking", "info"])]
        theme: String,
        /// A directory, or a file ending in .zip.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the ext.json a site is committed with through the platform.
    ExtJson {
        /// The site file (JSON); pictures are files beside it.
        site: PathBuf,
        /// The mini program's AppID.
        #[arg(long)]
        appid: String,
    },
    /// Set an agency's WeChat third-party platform; the AppSecret is read from standard input
    /// (an empty line keeps the stored one).
    SetPlatform {
        /// The agency, by its admin's login.
        #[arg(long)]
        agency: String,
        #[arg(long)]
        component_appid: String,
        /// The message token (消息校验Token); omitted keeps the stored one.
        #[arg(long)]
        token: Option<String>,
        /// The EncodingAESKey (消息加解密Key), 43 characters; omitted keeps the stored one.
        #[arg(long)]
        aes_key: Option<String>,
        /// THEME=ID, once per theme: the template library id of each theme's template.
        #[arg(long = "template", value_parser = parse_template)]
        templates: Vec<(String, String)>,
        /// Contact for the privacy guideline.
        #[arg(long, default_value = "")]
        contact_email: String,
        #[arg(long, default_value = "")]
        contact_phone: String,
        /// Release approved versions without waiting for the Release button.
        #[arg(long)]
        auto_release: bool,
    },
    /// Make a scripting-API token for an agency and print it (shown this once; stored hashed).
    CreateToken {
        /// The agency, by its admin's login (the token acts in that admin's name).
        #[arg(long)]
        agency: String,
        /// What the token is for, e.g. "till sync".
        #[arg(long)]
        name: String,
    },
    /// Run a fake WeChat platform (for trying the publishing flow locally; see README).
    DevWechat {
        #[arg(long, default_value = "127.0.0.1:3900")]
        addr: SocketAddr,
        /// mpforge's address, where pushes go (e.g. http://127.0.0.1:3000).
        #[arg(long)]
        push_to: String,
        #[arg(long, default_value = "wxfa4e000000000001")]
        component_appid: String,
        #[arg(long, default_value = "fake-component-secret")]
        secret: String,
        #[arg(long, default_value = "faketoken")]
        token: String,
        #[arg(long, default_value = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
        aes_key: String,
    },
    /// Create an agency and its admin login; the password is read from standard input.
    CreateAgency {
        /// The agency's name, as its merchants and staff see it.
        #[arg(long)]
        name: String,
        /// The admin's login (e.g. an email address).
        #[arg(long)]
        login: String,
    },
}

impl Cli {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            let base = std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
                .unwrap_or_else(|| PathBuf::from("."));
            base.join("mpforge")
        })
    }

    /// The `--store` value, or the embedded store in the data directory.
    pub fn store_spec(&self) -> String {
        self.store
            .clone()
            .unwrap_or_else(|| format!("sled:{}", self.data_dir().display()))
    }

    /// `scheme://host[:port]` mpforge is reached at: `--public-url`, else the listening address.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.addr),
        }
    }

    /// The key file sealing platform secrets.
    pub fn secret_key_path(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir().join("secret.key"))
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

fn parse_template(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(t, id)| (t.trim().to_string(), id.trim().to_string()))
        .ok_or_else(|| format!("`{s}` is not THEME=ID (e.g. shop=12)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let cli = Cli::try_parse_from(["mpforge"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.addr.to_string(), "127.0.0.1:3000");
        assert!(!cli.secure_cookies());
        let cli = Cli::try_parse_from([
            "mpforge",
            "--public-url",
            "https://mp.example.com",
            "export-data",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::ExportData { out: None })
        ));
        assert_eq!(cli.data_dir(), PathBuf::from("/tmp/x"));
        assert!(cli.secure_cookies());
        // A subcommand takes only its own flags (and the data directory).
        assert!(Cli::try_parse_from(["mpforge", "export-data", "--addr", "127.0.0.1:1"]).is_err());
        assert!(Cli::try_parse_from(["mpforge", "--addr", "nope"]).is_err());
        assert_eq!(cli.store_spec(), "sled:/tmp/x");
        let cli = Cli::try_parse_from([
            "mpforge",
            "import-data",
            "f.jsonl",
            "--store",
            "postgres://u@db/mp",
            "--blobs",
            "file:///srv/blobs",
        ])
        .unwrap();
        assert_eq!(cli.store_spec(), "postgres://u@db/mp");
        assert_eq!(cli.blobs.as_deref(), Some("file:///srv/blobs"));
    }
}
