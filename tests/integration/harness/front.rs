//! A TCP load balancer in front of several nodes, as a cluster runs behind one: clients know
//! only its address (the registry's `SERVER_HOSTNAME`), and each connection goes to the next
//! node of the current pool in turn, skipping a node that refuses it. A test narrows the pool
//! to send traffic through one node.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};

pub struct Front {
    /// `127.0.0.1:<port>`
    pub addr: String,
    listener: Option<TcpListener>,
    pool: Arc<Mutex<Vec<String>>>,
}

impl Front {
    /// Binds the front's port, so that its address can go into the nodes' configuration
    /// before they start; it forwards once `serve` is called.
    pub async fn bind() -> Front {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Front {
            addr: listener.local_addr().expect("address").to_string(),
            listener: Some(listener),
            pool: Arc::default(),
        }
    }

    /// Starts forwarding connections to the nodes at `addrs`.
    pub fn serve(&mut self, addrs: &[&str]) {
        self.route_to(addrs);
        let listener = self.listener.take().expect("served once");
        let pool = self.pool.clone();
        let next = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let targets = pool.lock().unwrap().clone();
                let first = next.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    for i in 0..targets.len() {
                        let target = &targets[(first + i) % targets.len()];
                        if let Ok(mut node) = TcpStream::connect(target).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut node).await;
                            return;
                        }
                    }
                });
            }
        });
    }

    /// New connections go to these nodes only (in turn); open ones stay where they are.
    pub fn route_to(&self, addrs: &[&str]) {
        *self.pool.lock().unwrap() = addrs.iter().map(|a| (*a).to_owned()).collect();
    }
}
