//! Time to make posters: `cargo bench -p citizeninfo-poster`.
//!
//! Plain loops and the median of each: the figures to compare are tens of
//! milliseconds, far above what a statistics harness would refine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use citizeninfo_poster::{Poster, pdf, png};

fn poster(i: usize) -> Poster {
    let token = format!("Qx7mP2vL9kR4tW8zN3b{i:03}");
    Poster {
        department: "กรมการพัฒนาชุมชน กระทรวงมหาดไทย".into(),
        office: "สำนักงานพัฒนาชุมชนอำเภอบางละมุง".into(),
        point_name: "งานทะเบียนและน้ำประปา สำนักงานพัฒนาชุมชนอำเภอบางละมุง".into(),
        point_code: format!("0112140410{i:03}"),
        url: format!("https://citizeninfo.example.go.th/r/{token}"),
        short_address: format!("citizeninfo.example.go.th/r/{token}"),
    }
}

fn median(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut size = f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            size = black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], size)
}

fn report(what: &str, runs: usize, (time, bytes): (Duration, usize)) {
    println!(
        "{what:<32} {:>9.1} ms  {:>8} KB  (median of {runs})",
        time.as_secs_f64() * 1e3,
        bytes / 1024
    );
}

fn main() {
    let one = [poster(0)];
    let hundred: Vec<Poster> = (0..100).map(poster).collect();
    report("PDF, 1 poster", 21, median(21, || pdf(&one).unwrap().len()));
    report(
        "PNG, 1 poster, 1240 px",
        21,
        median(21, || png(&one[0], 1240).unwrap().len()),
    );
    report(
        "PNG, 1 poster, 2480 px",
        5,
        median(5, || png(&one[0], 2480).unwrap().len()),
    );
    report(
        "PDF, 100 posters",
        5,
        median(5, || pdf(&hundred).unwrap().len()),
    );
}
