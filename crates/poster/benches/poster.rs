//! Time to make posters and reports: `cargo bench -p citizeninfo-poster`.
//!
//! Plain loops and the median of each: the figures to compare are tens of
//! milliseconds, far above what a statistics harness would refine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use citizeninfo_poster::{
    Poster, ReportDocument, ReportSection, ReportTable, pdf, png, report_pdf,
};

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

/// A report on the service points of a province: one row per point, names long
/// enough to wrap in their column.
fn province_report(rows: usize) -> ReportDocument {
    ReportDocument {
        title: "รายงานผลความพึงพอใจในการรับบริการ จังหวัดชลบุรี".into(),
        subtitle: vec!["ช่วงเวลา 1 ม.ค. 2568 – 31 มี.ค. 2568".into()],
        sections: vec![ReportSection {
            heading: "คะแนนรายจุดบริการ".into(),
            note: Some("ไม่แสดงคะแนนเมื่อผู้ตอบน้อยกว่า 5 คน".into()),
            table: ReportTable {
                headers: ["รหัส", "จุดบริการ", "หน่วยงาน", "ผู้ตอบ", "คะแนนเฉลี่ย"]
                    .map(String::from)
                    .to_vec(),
                rows: (0..rows)
                    .map(|i| {
                        vec![
                            format!("0112140410{i:03}"),
                            format!("งานทะเบียนและน้ำประปา จุดที่ {i}"),
                            "ศูนย์บริการประชาชนและศูนย์ดำรงธรรมสำนักงานพัฒนาชุมชนอำเภอบางละมุง".into(),
                            format!("{}", 13 * i % 700),
                            format!("{:.2}", 1.0 + (i % 400) as f64 / 100.0),
                        ]
                    })
                    .collect(),
                numeric: vec![false, false, false, true, true],
            },
        }],
        footer: "citizeninfo — พิมพ์เมื่อ 2 เม.ย. 2568".into(),
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
    let rows = province_report(100);
    report(
        "PDF report, 100 rows",
        11,
        median(11, || report_pdf(&rows).unwrap().len()),
    );
}
