//! `pharmactl` as a pharmacist or a script uses it: the published reference list imports
//! in one command (UTF-8 or Latin-1, `,` or `;`), errors exit non-zero with a French
//! message and store nothing, and a day runs end to end with `--json` output.
#![allow(clippy::unwrap_used)]

#[path = "common/pharmactl.rs"]
mod pharmactl;

use pharmactl::*;
use std::path::Path;

const OWNER: Option<(&str, &str)> = Some(("fatima", "1234"));

fn init(db: &Path) {
    ok(&pharmactl(
        db,
        None,
        &[
            "init",
            "--name",
            "Pharmacie Al Amal",
            "--ice",
            "001234567000089",
            "--owner-login",
            "fatima",
            "--owner-name",
            "Fatima Benali",
            "--owner-pin",
            "1234",
        ],
    ));
}

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cnops_extrait.csv")).unwrap()
}

fn count_items(db: &Path) -> usize {
    json(&pharmactl(db, None, &["--json", "export"]))["items"].as_array().unwrap().len()
}

#[test]
fn the_reference_list_imports_as_published_in_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    init(&db);
    let file = dir.path().join("cnops.csv");
    std::fs::write(&file, fixture()).unwrap();
    let out = json(&pharmactl(&db, OWNER, &["--json", "catalog", "import", file.to_str().unwrap()]));
    // 11 rows: one hospital-only product without a public price is left out with a warning;
    // the legacy code whose check digit fails is kept as a reference, with a warning.
    assert_eq!(out["imported"], 10, "{out}");
    let warnings = out["warnings"].to_string();
    assert!(warnings.contains("6118000010099"), "{warnings}");
    let show = json(&pharmactl(&db, None, &["--json", "catalog", "show", "6118000010074"]));
    assert_eq!(show["ppv"], 945_600, "9,456.00 DH in Excel display text");
    // The legacy code is not a scan key.
    failed(&pharmactl(&db, None, &["catalog", "show", "6118000010099"]));

    // Importing the same list again would duplicate barcodes: refused, nothing stored.
    let err = failed(&pharmactl(&db, OWNER, &["catalog", "import", file.to_str().unwrap()]));
    assert!(err.contains("déjà utilisé"), "{err}");
    assert_eq!(count_items(&db), 10);
}

#[test]
fn a_latin1_semicolon_copy_imports_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    init(&db);
    let text = String::from_utf8(fixture()).unwrap();
    // The same file as circulated: Latin-1, `;`-separated (prices keep their commas inside quotes).
    let mut latin1 = Vec::new();
    let mut in_quotes = false;
    for ch in text.chars() {
        if ch == '"' {
            in_quotes = !in_quotes;
        }
        let ch = if ch == ',' && !in_quotes { ';' } else { ch };
        latin1.push(u8::try_from(u32::from(ch)).unwrap());
    }
    let file = dir.path().join("cnops-latin1.csv");
    std::fs::write(&file, latin1).unwrap();
    let out = json(&pharmactl(&db, OWNER, &["--json", "catalog", "import", file.to_str().unwrap()]));
    assert_eq!(out["imported"], 10, "{out}");
    let items = json(&pharmactl(&db, None, &["--json", "catalog", "list", "AMOXIL"]));
    assert!(items[0]["name"].as_str().unwrap().contains("AMOXIL"), "{items}");
    let export = json(&pharmactl(&db, None, &["--json", "export"]));
    assert!(export["items"].to_string().contains("GÉLULE"), "Latin-1 É decoded");
}

#[test]
fn a_broken_csv_names_every_bad_line_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    init(&db);
    let file = dir.path().join("mine.csv");
    std::fs::write(
        &file,
        "barcode,name,active_substance,dosage,form,presentation,ppv,ph,reimbursement_rate,princeps_generic\n\
         6111000000052,Vitamine C,acide ascorbique,500 mg,comprimé,Boîte de 20,\"12,50\",,0,G\n\
         6111000000053,Mauvaise clé,x,1 mg,comprimé,Boîte,10,,0,G\n\
         6111000000069,Sans prix,x,1 mg,comprimé,Boîte,,,0,G\n\
         6111000000076,Prix négatif,x,1 mg,comprimé,Boîte,-3,,0,G\n",
    )
    .unwrap();
    let err = failed(&pharmactl(&db, OWNER, &["catalog", "import", file.to_str().unwrap()]));
    for line in ["ligne 3", "ligne 4", "ligne 5"] {
        assert!(err.contains(line), "{err}");
    }
    assert_eq!(count_items(&db), 0);
}

#[test]
fn errors_are_french_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let err = failed(&pharmactl(&db, None, &["catalog", "show", "6111000000052"]));
    assert!(err.contains("erreur"), "{err}");
    init(&db);
    let err = failed(&pharmactl(&db, Some(("fatima", "9999")), &["session", "open"]));
    assert!(err.contains("PIN incorrect"), "{err}");
    let err = failed(&pharmactl(&db, OWNER, &["sale", "--line", "6111000000052", "--tender", "cash:10"]));
    assert!(err.contains("aucune session en cours"), "{err}");
    let err = failed(&pharmactl(&db, OWNER, &["session", "open", "--float", "200x-1"]));
    assert!(!err.is_empty());
    let err = failed(&pharmactl(&db, OWNER, &["settings", "set", "--ice", "12"]));
    assert!(err.contains("15 chiffres"), "{err}");
}

#[test]
fn a_day_runs_end_to_end_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    init(&db);
    let file = dir.path().join("cnops.csv");
    std::fs::write(&file, fixture()).unwrap();
    ok(&pharmactl(&db, OWNER, &["catalog", "import", file.to_str().unwrap()]));
    ok(&pharmactl(
        &db,
        OWNER,
        &["stock", "opening", "6118000010012", "--lot", "L1", "--expiry", "2030-01-31", "--qty", "20"],
    ));
    ok(&pharmactl(
        &db,
        OWNER,
        &["user", "add", "salma", "--name", "Salma", "--role", "cashier", "--new-pin", "3456"],
    ));
    let cashier = Some(("salma", "3456"));
    ok(&pharmactl(&db, cashier, &["session", "open", "--float", "100x2"]));
    let sale = json(&pharmactl(
        &db,
        cashier,
        &["--json", "sale", "--line", "6118000010012:2", "--tender", "cash:50"],
    ));
    assert_eq!(
        (sale["ticket_no"].as_u64(), sale["total"].as_i64(), sale["change_due"].as_i64()),
        (Some(1), Some(3120), Some(1880))
    );
    let refund = json(&pharmactl(
        &db,
        cashier,
        &["--json", "refund", "--ticket", "1", "--line", "1:1", "--restock", "--reason", "erreur"],
    ));
    assert_eq!(refund["total"], 1560);
    ok(&pharmactl(&db, cashier, &["session", "close"]));
    // Drawer: 200 + 31,20 − 15,60 = 215,60 DH, counted exactly.
    let count = json(&pharmactl(
        &db,
        cashier,
        &["--json", "reconcile", "count", "--cash", "200x1,10x1,5x1,0.5x1,0.1x1"],
    ));
    assert_eq!(count["variance"]["cash"], 0, "{count}");
    let submit = json(&pharmactl(&db, cashier, &["--json", "reconcile", "submit"]));
    assert_eq!(submit["escalated"], false);
    let z = json(&pharmactl(&db, OWNER, &["--json", "z-close"]));
    assert_eq!((z["z_no"].as_u64(), z["grand_total_after"].as_i64()), (Some(1), Some(1560)));
    let lots = json(&pharmactl(&db, None, &["--json", "stock", "lots", "6118000010012"]));
    assert_eq!(lots[0]["on_hand"], 19);
    let report = ok(&pharmactl(&db, None, &["report"]));
    assert!(report.contains("15,60 MAD"), "{report}");
    assert!(ok(&pharmactl(&db, None, &["audit", "verify"])).contains("intègre"));
    let rebuilt = json(&pharmactl(&db, None, &["--json", "rebuild"]));
    assert_eq!(rebuilt["identical"], true);
    assert!(ok(&pharmactl(&db, None, &["audit", "verify"])).contains("intègre"));
}
