//! The sentence a manager reads next to a recommendation: the figures that produced it, in
//! the order they were used, e.g. « Demande prévue 12 boîtes sur 7 jours (jusqu'à 16 à
//! 95 %), stock 3, en commande 0 → commander 13 ».

use super::reorder::{Recommendation, ReorderInput};

/// "12 boîtes", "0,8 boîte", "1 boîte": at least 10 boxes are rounded to whole boxes,
/// fewer keep one decimal (a slow mover's 0,3 a week means something).
pub fn boxes(x: f64) -> String {
    let x = if x.is_finite() && x > 0.0 { x } else { 0.0 };
    let text = if x >= 10.0 {
        format!("{}", x.round() as i64)
    } else {
        let tenths = (x * 10.0).round() as i64;
        if tenths % 10 == 0 { format!("{}", tenths / 10) } else { format!("{},{}", tenths / 10, tenths % 10) }
    };
    // French: singular below 2.
    let unit = if x < 2.0 { "boîte" } else { "boîtes" };
    format!("{text} {unit}")
}

fn percent_bp(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{} %", bp / 100)
    } else {
        format!("{},{} %", bp / 100, (bp % 100) / 10)
    }
}

pub(super) fn explain(
    input: &ReorderInput<'_>,
    expected: f64,
    rec: &Recommendation,
    need: i64,
    capped: bool,
) -> String {
    let mut s = format!(
        "Demande prévue {} sur {} jours (jusqu'à {} à {}), stock {}, en commande {}",
        boxes(expected),
        input.policy.horizon_days(),
        rec.order_up_to,
        percent_bp(input.policy.service_level_bp),
        rec.on_hand,
        rec.on_order,
    );
    s.push_str(&if rec.qty > 0 {
        format!(" → commander {}", rec.qty)
    } else {
        " → rien à commander".into()
    });
    let mut notes: Vec<String> = Vec::new();
    let pack = input.pack_size.max(1);
    if rec.qty > 0 && pack > 1 && rec.qty != need && !capped {
        notes.push(format!("arrondi au colis de {pack}"));
    }
    let lost = rec.on_hand.max(0) - rec.usable_on_hand;
    if lost > 0 {
        notes.push(format!("{lost} en stock périmeront avant d'être vendues"));
    }
    if capped {
        notes.push(format!(
            "limité à {} : ce qui est commandé doit se vendre avant péremption ({} jours)",
            rec.expiry_cap.unwrap_or(0),
            input.shelf_life_days.unwrap_or(0)
        ));
    }
    if rec.on_hand < 0 {
        notes.push(format!("stock négatif ({}) à vérifier", rec.on_hand));
    }
    if input.bias_pct != 0 {
        notes.push(format!("prévision corrigée de {:+} % d'après vos retours", input.bias_pct));
    }
    for n in notes {
        s.push_str(" ; ");
        s.push_str(&n);
    }
    s
}
