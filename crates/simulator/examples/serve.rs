//! Runs the simulator alone: `cargo run -p groupcart-simulator --example serve [-- ADDR]`
//! (default `127.0.0.1:8081`). Point a bot at `http://ADDR/bot<token>/` and open
//! `http://ADDR/sim` to chat with it.

use groupcart_simulator::{SimConfig, Simulator};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "Telegram simulator on http://{}/sim",
        listener.local_addr()?
    );
    Simulator::new(SimConfig::default()).serve(listener).await
}
