//! Debian's `docker-registry` (CNCF distribution) on a free loopback port: a registry other
//! than Berth for the proxy-cache and mirror tests, anonymous or behind htpasswd logins.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub struct Distribution {
    child: Option<Child>,
    dir: TempDir,
    port: u16,
    /// `127.0.0.1:<port>`
    pub addr: String,
}

impl Distribution {
    /// Starts a registry; with `login`, every request needs that user's Basic credentials.
    pub fn start(login: Option<(&str, &str)>) -> Distribution {
        let dir = tempfile::Builder::new()
            .prefix("distribution-")
            .tempdir()
            .expect("a folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let auth = match login {
            Some((username, password)) => {
                let hash = bcrypt::hash(password, 5).expect("bcrypt");
                let file = dir.path().join("htpasswd");
                std::fs::write(&file, format!("{username}:{hash}\n")).expect("htpasswd");
                format!(
                    "auth:\n  htpasswd:\n    realm: berth-tests\n    path: {}\n",
                    file.display()
                )
            }
            None => String::new(),
        };
        let config = format!(
            "version: 0.1\n\
             log:\n  level: warn\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n{auth}",
            dir.path().join("data").display()
        );
        std::fs::write(dir.path().join("config.yml"), config).expect("config");
        let mut registry = Distribution {
            child: None,
            dir,
            port,
            addr: format!("127.0.0.1:{port}"),
        };
        registry.run();
        registry
    }

    fn run(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("registry.log")).expect("log");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(self.dir.path().join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("docker-registry runs (scripts/test installs Debian's docker-registry)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not listen: {}",
                std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the registry (SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Distribution {
    fn drop(&mut self) {
        self.stop();
    }
}
