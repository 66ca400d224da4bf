//! Unit tests of the catalog import.

use super::fields::parse_rate;
use super::text::{sniff_delimiter, windows_1252};
use super::*;
use crate::catalog::ean13::Ean13Error;
use crate::catalog::{Category, Origin, Schedule, TaxCategory};
use crate::ids::SeededIds;
use crate::money::MoneyParseError;

const CNOPS_HEADER: &str = "CODE,NOM,DCI1,DOSAGE1,UNITE_DOSAGE1,FORME,PRESENTATION,PPV,PH,\
                            PRIX_BR,PRINCEPS_GENERIQUE,TAUX_REMBOURSEMENT";
const OWN_HEADER: &str = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,\
                          reimbursement_rate,princeps_generic";

fn import(bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    parse_catalog_csv(bytes, &mut SeededIds::new(42))
}

fn row_errors(bytes: &[u8]) -> Vec<RowError> {
    match import(bytes) {
        Err(ImportError::Rows(rows)) => rows,
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn cnops(rows: &[&str]) -> String {
    let mut s = CNOPS_HEADER.to_owned();
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn own(rows: &[&str]) -> String {
    cnops(rows).replacen(CNOPS_HEADER, OWN_HEADER, 1)
}

#[test]
fn cnops_list_as_published() {
    let file = cnops(&[
        // Excel display prices, quoted because of the thousands comma.
        r#"6118010116230,ELOXATINE 5 MG/ML,OXALIPLATINE,200,MG,SOLUTION A DILUER POUR PERFUSION,1 BOITE 1 FLACON 40 ML," 2,882.00    "," 2,555.00    "," 2,882.00    ",P,70%"#,
        // Several substances, no PH.
        "6118000100225,PRETERAX,INDAPAMIDE / PERINDOPRIL,0.625 / 2,MG / MG,COMPRIME SECABLE,1 BOITE 30 COMPRIME, 239.00    ,-, 239.00    ,P,70%",
        // Legacy code failing the check digit: kept, not scannable.
        "6118000140213,LEGACY,AMOXICILLINE,500,MG,GELULE,1 BOITE 12 GELULE, 34.60 , 21.50 , 34.60 ,G,0%",
        // Hospital-only: no PPV.
        r#"6118001184187,REVLIMID 25 MG,LENALIDOMIDE,25,MG,GELULE,1 BOITE 21 GELULE,-," 58,465.00 "," 58,465.00 ",P,0%"#,
    ]);
    let batch = import(file.as_bytes()).unwrap();
    assert_eq!(batch.format, SourceFormat::Cnops);
    assert_eq!(batch.encoding, TextEncoding::Utf8);
    assert_eq!(batch.delimiter, ',');
    assert_eq!(batch.items.len(), 3);

    let elox = &batch.items[0];
    assert_eq!(elox.line, 2);
    assert_eq!(elox.ppv, Money(288_200));
    let item = &elox.item;
    assert_eq!(item.name, "ELOXATINE 5 MG/ML");
    assert_eq!(item.active_substance, "OXALIPLATINE");
    assert_eq!(item.dosage, "200 MG");
    assert_eq!(item.form, "SOLUTION A DILUER POUR PERFUSION");
    assert_eq!(item.presentation, "1 BOITE 1 FLACON 40 ML");
    assert_eq!(item.barcode.as_deref(), Some("6118010116230"));
    assert!(item.barcode_scannable);
    assert_eq!(item.hospital_price, Some(Money(255_500)));
    assert_eq!(item.origin, Some(Origin::Princeps));
    assert_eq!(item.reimbursement_pct, 70);
    assert_eq!(item.category, Category::Rx);
    assert_eq!(item.tax_category, TaxCategory::Medicine);
    assert_eq!(item.schedule, Schedule::None);
    assert_eq!(item.pack_size, 1);
    assert_eq!(item.unit_cost, Money::ZERO);
    assert_eq!((item.reorder_point, item.reorder_quantity), (0, 0));
    assert!(item.expiry_tracked && item.active);

    let preterax = &batch.items[1].item;
    assert_eq!(preterax.active_substance, "INDAPAMIDE / PERINDOPRIL");
    assert_eq!(preterax.dosage, "0.625 / 2 MG / MG");
    assert_eq!(preterax.hospital_price, None);
    assert_eq!(batch.items[1].ppv, Money(23_900));

    let legacy = &batch.items[2];
    assert_eq!(legacy.item.barcode.as_deref(), Some("6118000140213"));
    assert!(!legacy.item.barcode_scannable);
    assert_eq!(legacy.item.origin, Some(Origin::Generic));
    assert_eq!(legacy.item.reimbursement_pct, 0);

    assert_eq!(
        batch.warnings,
        vec![
            ImportWarning::LegacyBarcode { line: 4, code: "6118000140213".into(), expected: 4, found: 3 },
            ImportWarning::NoPublicPrice {
                line: 5,
                code: "6118001184187".into(),
                name: "REVLIMID 25 MG".into()
            },
        ]
    );
    assert_eq!(
        batch.warnings[0].to_string(),
        "ligne 4 : code 6118000140213 gardé comme référence, non scannable \
         (clé de contrôle 3 au lieu de 4)"
    );
    assert_eq!(batch.warnings[1].line(), Some(5));
}

#[test]
fn cnops_latin1_semicolon_copy() {
    // A French-Excel copy: Latin-1, `;`, BOM-less, CRLF, French decimal commas.
    let mut file: Vec<u8> = Vec::new();
    file.extend_from_slice(CNOPS_HEADER.replace(',', ";").as_bytes());
    file.extend_from_slice(b"\r\n6118000032182;HYDROXO 5000;HYDROXOCOBALAMINE;5000;\xb5G;");
    file.extend_from_slice(b"SOLUTION INJECTABLE;1 BOITE 4 AMPOULE;58,50;38,70;58,50;P;0%\r\n");
    file.extend_from_slice(b"6118000120155;ZADRYL \xc9T\xc9 \x92S;CETIRIZINE;1;MG;SOLUTION BUVABLE;");
    file.extend_from_slice(b"1 FLACON 60 ML;\" 2 882,00 \";19,90;31,90;G;70 %\r\n");
    assert!(std::str::from_utf8(&file).is_err());

    let batch = import(&file).unwrap();
    assert_eq!(batch.encoding, TextEncoding::Latin1);
    assert_eq!(batch.delimiter, ';');
    assert_eq!(batch.format, SourceFormat::Cnops);
    assert_eq!(batch.items[0].item.dosage, "5000 µG");
    assert_eq!(batch.items[0].ppv, Money(5_850));
    assert_eq!(batch.items[1].item.name, "ZADRYL ÉTÉ ’S");
    assert_eq!(batch.items[1].ppv, Money(288_200));
    assert_eq!(batch.items[1].item.reimbursement_pct, 70);
    assert_eq!(batch.items[1].line, 3);
    assert!(batch.warnings.is_empty());
}

#[test]
fn header_is_found_case_insensitively_with_bom_and_extra_columns() {
    // A pandas copy of the list adds an unnamed index column; headers trimmed/mixed case.
    let file = "\u{feff} , Code ,nom,Dci1,DOSAGE1,unite_dosage1,FORME,PRESENTATION,ppv,PH,PRIX_BR,\
                PRINCEPS_GENERIQUE,TAUX_REMBOURSEMENT\n\
                0,6118000120155,ZADRYL,CETIRIZINE,1,MG,SOLUTION BUVABLE,1 FLACON 60 ML,31.90,19.90,31.90,G,70%\n";
    let batch = import(file.as_bytes()).unwrap();
    assert_eq!(batch.items.len(), 1);
    assert_eq!(batch.items[0].item.name, "ZADRYL");
    assert_eq!(batch.warnings, vec![ImportWarning::IgnoredColumn { column: 1, name: String::new() }]);
    assert_eq!(batch.warnings[0].to_string(), "colonne 1 sans nom ignorée");
}

#[test]
fn pharmacy_own_format() {
    let file = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,reimbursement_rate,\
                princeps_generic,category,tax_category,schedule,pack_size,notes\n\
                6118000120155,ZADRYL,CETIRIZINE,1 MG,SOLUTION BUVABLE,1 FLACON 60 ML,\"31,90\",19.90,70,G,otc,,,,à garder\n\
                6118000100225,CREME SOLAIRE SPF50,,,CREME,1 TUBE 50 ML,\"1 234,50\",,,,parapharmacy,,none,1,\n\
                6118000031079,SIROP X,CODEINE,,SIROP,1 FLACON,12.5 DH,,0%,P,rx,medicine,B,12,\n\
                ,PREPARATION MAISON,,,,,\"4,00\",,,,Préparation,Réduit,c,,\n";
    let batch = import(file.as_bytes()).unwrap();
    assert_eq!(batch.format, SourceFormat::Pharmacy);
    assert_eq!(batch.warnings, vec![ImportWarning::IgnoredColumn { column: 15, name: "notes".into() }]);
    let [zadryl, creme, sirop, prep] = &batch.items[..] else {
        panic!("4 items expected: {:?}", batch.items);
    };
    assert_eq!(zadryl.ppv, Money(3_190));
    assert_eq!(zadryl.item.hospital_price, Some(Money(1_990)));
    assert_eq!(zadryl.item.dosage, "1 MG");
    assert_eq!(zadryl.item.category, Category::Otc);
    assert_eq!(zadryl.item.tax_category, TaxCategory::Medicine);
    assert_eq!(zadryl.item.reimbursement_pct, 70);

    assert_eq!(creme.ppv, Money(123_450));
    assert_eq!(creme.item.category, Category::Parapharmacy);
    assert_eq!(creme.item.tax_category, TaxCategory::Standard);
    assert_eq!(creme.item.origin, None);

    assert_eq!(sirop.ppv, Money(1_250));
    assert_eq!(sirop.item.schedule, Schedule::B);
    assert_eq!(sirop.item.pack_size, 12);
    assert_eq!(sirop.item.origin, Some(Origin::Princeps));

    assert_eq!(prep.item.barcode, None);
    assert!(prep.item.barcode_scannable);
    assert_eq!(prep.item.category, Category::Preparation);
    assert_eq!(prep.item.tax_category, TaxCategory::Reduced);
    assert_eq!(prep.item.schedule, Schedule::C);
    assert_eq!(prep.line, 5);
}

#[test]
fn ids_are_deterministic_and_distinct() {
    let file = own(&["6118000120155,A,,,,,1,,,", "6118000100225,B,,,,,2,,,"]);
    let a = import(file.as_bytes()).unwrap();
    let b = import(file.as_bytes()).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.items[0].item.id, a.items[1].item.id);
}

#[test]
fn each_error_is_reported_with_its_line() {
    let cases: &[(&str, RowProblem)] = &[
        ("6118000120155,,,,,,1,,,", RowProblem::MissingName),
        ("6118000120155,A,,,,,,,,", RowProblem::MissingPrice { column: "ppv".into() }),
        (
            "6118000120155,A,,,,,abc,,,",
            RowProblem::BadPrice {
                column: "ppv".into(),
                source: MoneyParseError::Invalid { input: "abc".into() },
            },
        ),
        (
            "6118000120155,A,,,,,\"12,345\",,,",
            RowProblem::BadPrice {
                column: "ppv".into(),
                source: MoneyParseError::TooManyDecimals { input: "12,345".into() },
            },
        ),
        ("6118000120155,A,,,,,-3,,,", RowProblem::NegativePrice { column: "ppv".into(), value: "-3".into() }),
        ("6118000120155,A,,,,,3,-1,,", RowProblem::NegativePrice { column: "ph".into(), value: "-1".into() }),
        (
            "6118000120156,A,,,,,3,,,",
            RowProblem::BadBarcode {
                value: "6118000120156".into(),
                source: Ean13Error::BadCheckDigit { expected: 5, found: 6 },
            },
        ),
        (
            "611800012015,A,,,,,3,,,",
            RowProblem::BadBarcode {
                value: "611800012015".into(),
                source: Ean13Error::WrongLength { len: 12 },
            },
        ),
        ("6118000120155,A,,,,,3,,150%,", RowProblem::BadRate { value: "150%".into() }),
        ("6118000120155,A,,,,,3,,,X", RowProblem::BadOrigin { value: "X".into() }),
        ("6118000120155,A,,,,,3,,", RowProblem::ColumnCount { expected: 10, found: 9 }),
        ("6118000120155,A,,,,,3,,,,oops", RowProblem::ColumnCount { expected: 10, found: 11 }),
    ];
    for (row, problem) in cases {
        // A good row first, so the bad one is on line 3.
        let file = own(&["6118000100225,GOOD,,,,,1,,,", row]);
        assert_eq!(
            row_errors(file.as_bytes()),
            vec![RowError { line: 3, problem: problem.clone() }],
            "{row}"
        );
    }
}

#[test]
fn optional_columns_are_checked() {
    let head = "barcode,name,ppv,category,tax_category,schedule,pack_size\n";
    let file = format!(
        "{head}6118000120155,A,1,cosmetic,,,\n6118000100225,B,1,,vat20,,\n\
         6118000031079,C,1,,,D,\n6118010116230,D,1,,,,0\n"
    );
    let problems: Vec<_> = row_errors(file.as_bytes()).into_iter().map(|e| (e.line, e.problem)).collect();
    assert_eq!(
        problems,
        vec![
            (2, RowProblem::BadCategory { value: "cosmetic".into() }),
            (3, RowProblem::BadTaxCategory { value: "vat20".into() }),
            (4, RowProblem::BadSchedule { value: "D".into() }),
            (5, RowProblem::BadPackSize { value: "0".into() }),
        ]
    );
}

#[test]
fn every_bad_row_is_reported_and_nothing_imported() {
    let file = own(&[
        "6118000120155,A,,,,,1,,,",
        "6118000120156,B,,,,,1,,,", // line 3: check digit
        "6118000100225,,,,,,x,,,",  // line 4: name and price
        "6118000031079,D,,,,,2,,,",
        "6118000120155,E,,,,,1,,,", // line 6: duplicate of line 2
    ]);
    let errors = row_errors(file.as_bytes());
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 4, 6]);
    assert_eq!(
        errors[3].problem,
        RowProblem::DuplicateBarcode { code: "6118000120155".into(), first_line: 2 }
    );
    let message = import(file.as_bytes()).unwrap_err().to_string();
    assert_eq!(
        message,
        "3 lignes en erreur, rien n'a été importé :\n  \
         ligne 3 : code-barres « 6118000120156 » invalide : clé de contrôle incorrecte : \
         le dernier chiffre devrait être 5, pas 6\n  \
         ligne 4 : nom manquant\n  \
         ligne 4 : prix ppv illisible : montant illisible : « x » (exemples : 12,50 ; 1 234,50 ; 12 DH)\n  \
         ligne 6 : code-barres 6118000120155 en double (déjà ligne 2)"
    );
}

#[test]
fn cnops_errors() {
    let file = cnops(&[
        "6118000120155,ZADRYL,CETIRIZINE,1,MG,SOLUTION BUVABLE,1 FLACON 60 ML,31.90,19.90,31.90,G,70%",
        ",SANS CODE,X,1,MG,F,P,1.00,-,-,P,0%",
        "6118000120155,ZADRYL BIS,CETIRIZINE,1,MG,SOLUTION BUVABLE,1 FLACON 60 ML,31.90,19.90,31.90,G,70%",
        "6118O00120155,LETTRE,X,1,MG,F,P,1.00,-,-,P,0%",
        "6118000100225,PRIX,X,1,MG,F,P,\" 2,882.000 \",-,-,Q,abc",
    ]);
    let problems: Vec<_> =
        row_errors(file.as_bytes()).into_iter().map(|e| (e.line, e.problem.to_string())).collect();
    assert_eq!(
        problems,
        vec![
            (3, "code manquant".to_owned()),
            (4, "code-barres 6118000120155 en double (déjà ligne 2)".to_owned()),
            (
                5,
                "code-barres « 6118O00120155 » invalide : caractère « O » en position 5 : \
                 un code EAN-13 ne contient que des chiffres"
                    .to_owned()
            ),
            (
                6,
                "prix PPV illisible : trop de décimales dans « 2,882.000 » : 2 au plus (les centimes)"
                    .to_owned()
            ),
            (6, "taux de remboursement illisible : « abc » (entier de 0 à 100, p. ex. 70%)".to_owned()),
            (6, "princeps/générique illisible : « Q » (P ou G)".to_owned()),
        ]
    );
}

#[test]
fn line_numbers_follow_the_file_not_the_records() {
    // A quoted name spanning two lines, then a blank spreadsheet row: the bad row is on
    // line 6 of the file even though it is the third record.
    let file = own(&[
        "6118000120155,\"NOM SUR\nDEUX LIGNES\",,,,,1,,,",
        ",,,,,,,,,",
        "6118000100225,B,,,,,1,,,",
        "6118000031079,C,,,,,zz,,,",
    ]);
    let errors = row_errors(file.as_bytes());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 6);
    let ok = own(&["6118000120155,\"NOM SUR\nDEUX LIGNES\",,,,,1,,,", "6118000100225,B,,,,,1,,,"]);
    let batch = import(ok.as_bytes()).unwrap();
    assert_eq!(batch.items[0].item.name, "NOM SUR\nDEUX LIGNES");
    assert_eq!(batch.items[1].line, 4);
}

#[test]
fn line_numbers_with_crlf_blank_lines_and_lone_cr() {
    for eol in ["\n", "\r\n", "\r"] {
        let file = [
            "barcode,name,ppv",
            "",
            "6118000120155,A,1",
            ",,",
            "",
            "6118000100225,B,x",
            "\"6118000031079\",\"C",
            "\",-1",
        ]
        .join(eol);
        let lines: Vec<usize> = row_errors(file.as_bytes()).iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![6, 7], "{eol:?}");
    }
}

#[test]
fn trailing_empty_fields_are_tolerated() {
    let file = own(&["6118000120155,A,,,,,1,,,,,,"]);
    assert_eq!(import(file.as_bytes()).unwrap().items.len(), 1);
}

#[test]
fn header_errors() {
    let err = import(b"foo,bar\n1,2\n").unwrap_err();
    assert!(matches!(err, ImportError::Header(HeaderError::Unrecognised { .. })), "{err:?}");
    assert!(err.to_string().starts_with("en-tête non reconnu : « foo,bar »"));

    let err = import(b"CODE,NOM,DCI1\n6118000120155,A,B\n").unwrap_err();
    assert_eq!(err.to_string(), "colonne(s) obligatoire(s) absente(s) de l'en-tête : PPV");
    let err = import(b"name,dosage\nA,1\n").unwrap_err();
    assert!(matches!(
        err,
        ImportError::Header(HeaderError::MissingColumns { ref missing })
            if missing == &vec!["barcode".to_owned(), "ppv".to_owned()]
    ));
    let err = import(b"barcode,name,ppv,Name\n").unwrap_err();
    assert_eq!(err.to_string(), "colonne « Name » présente deux fois dans l'en-tête");
}

#[test]
fn empty_files() {
    for file in [&b""[..], b"\xEF\xBB\xBF", b"  \n\n", b"barcode,name,ppv\n", b"barcode,name,ppv\n,,\n"] {
        let err = import(file).unwrap_err();
        assert!(matches!(err, ImportError::Empty), "{file:?}: {err:?}");
        assert_eq!(err.to_string(), "fichier vide : aucun article à importer");
    }
}

#[test]
fn too_large() {
    let big = vec![b' '; MAX_BYTES + 1];
    let err = import(&big).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge(SizeLimit::Bytes(_))));
    assert_eq!(err.to_string(), "fichier trop volumineux : 51 Mo (50 Mo au plus)");

    let mut rows = String::from("barcode,name,ppv\n");
    for _ in 0..=MAX_ROWS {
        rows.push_str(",A,1\n");
    }
    let err = import(rows.as_bytes()).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge(SizeLimit::Rows)));
}

#[test]
fn value_parsers() {
    assert_eq!(parse_rate("70%"), Some(70));
    assert_eq!(parse_rate("70 "), Some(70));
    assert_eq!(parse_rate("100.00"), Some(100));
    assert_eq!(parse_rate(""), Some(0));
    assert_eq!(parse_rate("0.7"), None);
    assert_eq!(parse_rate("101"), None);
    assert_eq!(parse_rate("%"), Some(0));
    assert_eq!(parse_rate("-5"), None);
    assert_eq!(sniff_delimiter("a;b;\"c,d,e\"\n1,2"), b';');
    assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
    assert_eq!(sniff_delimiter("a,b;c"), b',');
    assert_eq!(windows_1252(0xe9), 'é');
    assert_eq!(windows_1252(0x9c), 'œ');
    assert_eq!(windows_1252(0x80), '€');
    assert_eq!(windows_1252(0x81), '\u{81}');
}
