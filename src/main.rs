use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Berth: a container registry that speaks the Red Hat Quay API.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// How log lines are written to stderr: `text` for people, `json` (one object per line)
    /// for log collectors.
    #[arg(long, global = true, env = "BERTH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    fn init(self) {
        let logs = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
            )
            .with_writer(std::io::stderr);
        match self {
            LogFormat::Text => logs.init(),
            LogFormat::Json => logs.json().flatten_event(true).init(),
        }
    }
}

#[derive(Args)]
struct NodeArgs {
    /// Folder for the SQLite database, blobs and the node's signing key.
    #[arg(long, env = "BERTH_DATA_DIR", default_value = "berth-data")]
    data_dir: PathBuf,
    /// A Quay config.yaml; without it Berth runs embedded on SQLite and a local folder.
    #[arg(long, env = "BERTH_CONFIG")]
    config: Option<PathBuf>,
}

impl NodeArgs {
    fn options(self) -> berth::NodeOptions {
        berth::NodeOptions {
            data_dir: self.data_dir,
            config_path: self.config,
        }
    }
}

/// What one client may hold: connections, and how long it may keep them silent.
#[derive(Args)]
struct LimitArgs {
    /// Connections served at once (default and ceiling: the open-file limit less a reserve).
    #[arg(long, env = "BERTH_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seconds a connection may take to send a complete request head, counted from its
    /// opening or from its previous response (so also how long it may idle between requests).
    #[arg(long, env = "BERTH_HEADER_TIMEOUT", default_value_t = 30.0)]
    header_timeout: f64,
    /// Seconds a request body may pause between two chunks; a slow but steady upload is fine.
    #[arg(long, env = "BERTH_BODY_TIMEOUT", default_value_t = 60.0)]
    body_timeout: f64,
}

impl LimitArgs {
    fn limits(&self) -> anyhow::Result<berth::http::server::Limits> {
        let seconds = |flag: &str, value: f64| {
            std::time::Duration::try_from_secs_f64(value)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| anyhow::anyhow!("--{flag} must be a positive number of seconds"))
        };
        Ok(berth::http::server::Limits {
            max_connections: self.max_connections,
            header_timeout: seconds("header-timeout", self.header_timeout)?,
            body_timeout: seconds("body-timeout", self.body_timeout)?,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the registry (and run background jobs).
    Serve {
        #[command(flatten)]
        node: NodeArgs,
        /// Address to listen on.
        #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        limits: LimitArgs,
        /// Leave requested builds to `berth build-worker` nodes.
        #[arg(long, env = "BERTH_NO_BUILD_WORKER")]
        no_build_worker: bool,
    },
    /// Run background jobs only.
    Worker {
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Run requested builds only (with buildah).
    BuildWorker {
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Migrate the database and exit.
    Migrate {
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Blob storage tools.
    Storage {
        #[command(subcommand)]
        action: StorageAction,
    },
}

#[derive(Subcommand)]
enum StorageAction {
    /// Check that storage holds every recorded blob at its recorded size; list those it does
    /// not and exit with status 1 when there are any.
    Check {
        #[command(flatten)]
        node: NodeArgs,
        /// Also read every blob and check its hash (reads all stored bytes).
        #[arg(long)]
        verify: bool,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Validate the configuration and print it resolved (secrets hidden).
    Check {
        #[command(flatten)]
        node: NodeArgs,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    cli.log_format.init();
    let outcome = match cli.command {
        Command::Serve {
            node,
            listen,
            limits,
            no_build_worker,
        } => match limits.limits() {
            Ok(limits) => berth::serve(node.options(), &listen, limits, !no_build_worker).await,
            Err(err) => Err(err),
        },
        Command::Worker { node } => berth::work(node.options()).await,
        Command::BuildWorker { node } => berth::build(node.options()).await,
        Command::Migrate { node } => {
            let options = node.options();
            match options.load_config() {
                Ok(config) => berth::open_app(&options, config).await.map(|_| ()),
                Err(e) => Err(e),
            }
        }
        Command::Storage {
            action: StorageAction::Check { node, verify },
        } => berth::check_storage(node.options(), verify).await,
        Command::Config {
            action: ConfigAction::Check { node },
        } => node.options().load_config().map(|config| {
            for (key, value) in config.describe() {
                println!("{key}: {value}");
            }
            for ignored in &config.ignored_keys {
                println!("ignored: {} ({})", ignored.key, ignored.reason);
            }
        }),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("berth: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
