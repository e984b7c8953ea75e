use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Berth: a container registry that speaks the Red Hat Quay API.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the registry (and run background jobs).
    Serve {
        #[command(flatten)]
        node: NodeArgs,
        /// Address to listen on.
        #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Run background jobs only.
    Worker {
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve { node, listen } => berth::serve(node.options(), &listen).await,
        Command::Worker { node } => berth::work(node.options()).await,
        Command::Migrate { node } => {
            let options = node.options();
            match options.load_config() {
                Ok(config) => berth::open_app(&options, config).await.map(|_| ()),
                Err(e) => Err(e),
            }
        }
        Command::Config {
            action: ConfigAction::Check { node },
        } => node.options().load_config().map(|config| {
            for (key, value) in config.describe() {
                println!("{key}: {value}");
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
