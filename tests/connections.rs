//! Connections a client holds open without finishing a request cannot take
//! the server from everyone else: each test uses a bounded number of
//! loopback sockets, the hostile ones from 127.0.0.2 so that the customer on
//! 127.0.0.1 is another client.

mod util;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use util::{HelpCenter, REFUND_FAQ, Server};

fn serve(env: &[(&str, &str)]) -> (HelpCenter, Server) {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let mut all = vec![("DOUMI_RATE_LIMIT_PER_MINUTE", "0")];
    all.extend_from_slice(env);
    let server = hc.serve(&all, &[]);
    (hc, server)
}

fn address(server: &Server) -> SocketAddr {
    server.base.trim_start_matches("http://").parse().unwrap()
}

/// A connection from `source` (another loopback address: another client).
fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        socket.connect(to).await.unwrap()
    });
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

/// How long until the server closes `socket` (reading whatever it answers
/// first), or `None` if it is still open after `limit`.
fn closed_within(socket: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        socket.set_read_timeout(Some(left.max(Duration::from_millis(1)))).unwrap();
        match socket.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return None,
            Err(_) => return Some(started.elapsed()),
        }
    }
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off_and_an_idle_connection_closed() {
    let (_hc, server) = serve(&[("DOUMI_HEADER_READ_TIMEOUT_MS", "500")]);
    let mut slow = connect_from("127.0.0.2", address(&server));
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: doumi\r\n").unwrap();
    let cut = closed_within(&mut slow, Duration::from_secs(10)).expect("the half-sent request is cut off");
    assert!(cut >= Duration::from_millis(300), "not before the deadline: {cut:?}");

    let mut idle = connect_from("127.0.0.2", address(&server));
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: doumi\r\n\r\n").unwrap();
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200", "answered first");
    assert!(closed_within(&mut idle, Duration::from_secs(10)).is_some(), "then closed once idle");
}

#[test]
fn one_client_cannot_hold_every_connection() {
    let (_hc, server) = serve(&[("DOUMI_MAX_CONNECTIONS_PER_CLIENT", "4"), ("DOUMI_HEADER_READ_TIMEOUT_MS", "60000")]);
    let mut held: Vec<TcpStream> = (0..4).map(|_| connect_from("127.0.0.2", address(&server))).collect();
    let mut fifth = connect_from("127.0.0.2", address(&server));
    assert!(closed_within(&mut fifth, Duration::from_secs(5)).is_some(), "the fifth connection of one client is refused");
    assert_eq!(server.get("/healthz").status, 200, "another client is still served");
    for socket in &mut held {
        assert!(closed_within(socket, Duration::from_millis(100)).is_none(), "the first four stay open");
    }
    held.clear();
    // Their slots are free again.
    std::thread::sleep(Duration::from_millis(200));
    let mut again = connect_from("127.0.0.2", address(&server));
    again.write_all(b"GET /healthz HTTP/1.1\r\nHost: doumi\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    again.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn connections_beyond_the_total_cap_are_refused_and_the_server_recovers() {
    let (_hc, server) = serve(&[("DOUMI_MAX_CONNECTIONS", "6"), ("DOUMI_MAX_CONNECTIONS_PER_CLIENT", "0"), ("DOUMI_HEADER_READ_TIMEOUT_MS", "60000")]);
    let mut sockets: Vec<TcpStream> = (0..10).map(|_| connect_from("127.0.0.2", address(&server))).collect();
    let refused = sockets.iter_mut().filter_map(|s| closed_within(s, Duration::from_millis(500))).count();
    assert!(refused >= 4, "at most 6 connections are kept: {refused} of 10 refused");
    sockets.clear();
    server.eventually(Duration::from_secs(5), |s| s.get("/healthz").status == 200);
}

#[test]
fn a_shutdown_drops_a_client_that_never_finishes_at_its_deadline() {
    let (_hc, mut server) = serve(&[("DOUMI_SHUTDOWN_TIMEOUT_MS", "1000"), ("DOUMI_HEADER_READ_TIMEOUT_MS", "60000")]);
    let mut slow = connect_from("127.0.0.2", address(&server));
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: doumi\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    server.stop();
    assert!(started.elapsed() < Duration::from_secs(8), "stopped after {:?}", started.elapsed());
}
