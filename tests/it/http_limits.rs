//! Connection limits: 500 idle connections and trickling ones neither stop the server from
//! answering nor stay open past the header timeout; a trickled body and a response nobody
//! reads are cut off; past the connection limit, new clients wait instead of exhausting the
//! server. The timeouts are shortened so the test stays short.

use crate::harness::{client, fresh_database};
use guichet::{HttpLimits, Server, ServerConfig, Settings};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn serve(limits: HttpLimits) -> (Server, tempfile::TempDir) {
    let (url, dir) = fresh_database().await;
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: url,
        ..Settings::default()
    };
    let store = guichet::open_store(&settings).await.unwrap();
    let config = ServerConfig {
        http: limits,
        ..ServerConfig::default()
    };
    let server = guichet::start(&settings, store, config, false)
        .await
        .unwrap();
    (server, dir)
}

/// How long until the server closes `stream` (end of file or reset), reading whatever it
/// sends; `None` when it is still open after `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        let left = wait.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// A plain request's answer time.
async fn health(server: &Server) -> Duration {
    let start = Instant::now();
    let r = client()
        .get(format!("http://{}/healthz", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    start.elapsed()
}

#[tokio::test]
async fn idle_and_trickling_connections_do_not_block_and_are_closed() {
    let header = Duration::from_secs(2);
    let (server, _dir) = serve(HttpLimits {
        header_read_timeout: header,
        ..HttpLimits::default()
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..500 {
        idle.push(TcpStream::connect(server.addr).await.unwrap());
    }
    // Trickling clients: a header line every 200 ms, never the end of the headers.
    let mut trickling = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let (mut read, mut write) = s.into_split();
        tokio::spawn(async move {
            for i in 0..100 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if write
                    .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
        trickling.push(tokio::spawn(async move {
            let start = Instant::now();
            let mut buf = [0u8; 256];
            loop {
                match tokio::time::timeout(Duration::from_secs(10), read.read(&mut buf)).await {
                    Err(_) => return None,
                    Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
                    Ok(Ok(_)) => {}
                }
            }
        }));
    }
    let answered = health(&server).await;
    eprintln!("with 500 idle and 50 trickling connections, /healthz answered in {answered:?}");
    assert!(answered < header, "answered in {answered:?}");

    let mut slowest = Duration::ZERO;
    for s in &mut idle {
        let closed = closed_within(s, header + Duration::from_secs(5))
            .await
            .expect("an idle connection is closed");
        slowest = slowest.max(closed);
    }
    for t in trickling {
        let closed = t.await.unwrap().expect("a trickling connection is closed");
        slowest = slowest.max(closed);
    }
    eprintln!("the last idle or trickling connection closed after {slowest:?}");
    assert!(health(&server).await < header);
    server.stop().await;
}

#[tokio::test]
async fn a_trickled_body_and_an_unread_response_are_cut_off() {
    let (server, _dir) = serve(HttpLimits {
        body_read_timeout: Duration::from_secs(1),
        send_timeout: Duration::from_secs(1),
        ..HttpLimits::default()
    })
    .await;
    // A body announced at 1,000 bytes, sent one byte every 100 ms: 100 s of upload.
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
    )
    .await
    .unwrap();
    let (mut read, mut write) = s.into_split();
    tokio::spawn(async move {
        for _ in 0..1000 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b"a").await.is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let got = tokio::time::timeout(Duration::from_secs(6), read.read_to_end(&mut answer)).await;
    assert!(
        got.is_ok(),
        "the connection ends well before the body would"
    );

    // A client that asks ten times (pipelined) for the API viewer's 1.7 MB script and reads
    // nothing: more than the system's buffers hold, so the server's writes stall.
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let request = b"GET /assets/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n";
    s.write_all(&request.repeat(10)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Reading now finds what the buffers held, then the end of the connection.
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0;
    let start = Instant::now();
    let mut closed = None;
    while start.elapsed() < Duration::from_secs(3) {
        match tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await {
            Err(_) => {}
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = Some(start.elapsed());
                break;
            }
            Ok(Ok(n)) => total += n,
        }
    }
    eprintln!("the stalled client got {total} bytes of 17 MB before the server closed");
    assert!(total < 10 * 1_700_000, "{total} bytes");
    assert!(closed.is_some(), "the stalled download is closed");
    assert!(health(&server).await < Duration::from_secs(1));
    server.stop().await;
}

#[tokio::test]
async fn past_the_connection_limit_clients_wait_for_a_free_slot() {
    let header = Duration::from_secs(2);
    let (server, _dir) = serve(HttpLimits {
        header_read_timeout: header,
        max_connections: 20,
        ..HttpLimits::default()
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(server.addr).await.unwrap());
    }
    // Let the server accept them all before the 21st arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answered = health(&server).await;
    eprintln!("past the limit of 20, /healthz answered after {answered:?}");
    assert!(
        answered >= header - Duration::from_millis(500),
        "served only once idle connections were closed: {answered:?}"
    );
    assert!(answered < header + Duration::from_secs(3), "{answered:?}");
    server.stop().await;
}
