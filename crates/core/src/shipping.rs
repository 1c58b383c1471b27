//! Shipping rates by destination country: the seller's table, and the options a customer is
//! offered for an address.
//!
//! A bot either charges one flat fee ([`crate::bot::BotProfile::shipping_fee`]) or, when it has
//! a rate table, lets Telegram ask for the address first (a flexible invoice) and answers with
//! the options that serve that country. The customer picks one and pays the goods plus that
//! option; the order then records the option and its cost.

use serde::{Deserialize, Serialize};

/// Matches any destination in [`ShippingRate::countries`].
pub const ANY_COUNTRY: &str = "*";

/// One line of the seller's table: a way to ship, where it goes and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingRate {
    /// Stable id, sent to Telegram and kept on the order (`standard`, `express`).
    pub id: String,
    /// What the customer reads (`Standard, 7–14 days`).
    pub title: String,
    /// ISO 3166-1 alpha-2 codes in upper case, or [`ANY_COUNTRY`].
    pub countries: Vec<String>,
    /// Minor units of the bot's currency.
    pub amount: i64,
    /// Goods worth at least this much (minor units) ship for free with this rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_from: Option<i64>,
}

impl ShippingRate {
    /// Whether this rate ships to `country` (alpha-2, any case).
    pub fn serves(&self, country: &str) -> bool {
        let country = country.trim();
        self.countries
            .iter()
            .any(|c| c == ANY_COUNTRY || c.eq_ignore_ascii_case(country))
    }

    /// The cost for goods worth `subtotal`.
    pub fn cost(&self, subtotal: i64) -> i64 {
        match self.free_from {
            Some(threshold) if subtotal >= threshold => 0,
            _ => self.amount,
        }
    }
}

/// An option offered for one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingQuote {
    pub id: String,
    pub title: String,
    /// Minor units.
    pub amount: i64,
}

/// The options for goods worth `subtotal` going to `country`, in table order. Empty when the
/// seller does not ship there.
pub fn quotes(rates: &[ShippingRate], country: &str, subtotal: i64) -> Vec<ShippingQuote> {
    rates
        .iter()
        .filter(|r| r.serves(country))
        .map(|r| ShippingQuote {
            id: r.id.clone(),
            title: r.title.clone(),
            amount: r.cost(subtotal),
        })
        .collect()
}

/// The quote for option `id` to `country`, if that option serves it.
pub fn quote(
    rates: &[ShippingRate],
    id: &str,
    country: &str,
    subtotal: i64,
) -> Option<ShippingQuote> {
    quotes(rates, country, subtotal)
        .into_iter()
        .find(|q| q.id == id)
}

/// Checks a rate table: ids non-empty and unique, countries two letters or `*`, amounts not
/// negative. `Err` names the first problem.
pub fn validate(rates: &[ShippingRate]) -> Result<(), String> {
    for (i, rate) in rates.iter().enumerate() {
        let at = format!("shipping rate {}", i + 1);
        if rate.id.trim().is_empty() || rate.id.len() > 64 {
            return Err(format!("{at}: id must be 1 to 64 characters"));
        }
        if rates[..i].iter().any(|r| r.id == rate.id) {
            return Err(format!("{at}: id {:?} is used twice", rate.id));
        }
        if rate.title.trim().is_empty() {
            return Err(format!("{at}: title must not be empty"));
        }
        if rate.countries.is_empty() {
            return Err(format!(
                "{at}: countries must name at least one country or \"*\""
            ));
        }
        for country in &rate.countries {
            let alpha2 = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
            if country != ANY_COUNTRY && !alpha2 {
                return Err(format!(
                    "{at}: {country:?} is not an upper-case ISO country code (like \"SG\") or \"*\""
                ));
            }
        }
        if rate.amount < 0 || rate.free_from.is_some_and(|f| f < 0) {
            return Err(format!("{at}: amounts must not be negative"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<ShippingRate> {
        vec![
            ShippingRate {
                id: "standard".into(),
                title: "Standard".into(),
                countries: vec![ANY_COUNTRY.into()],
                amount: 499,
                free_from: Some(5000),
            },
            ShippingRate {
                id: "express".into(),
                title: "Express".into(),
                countries: vec!["SG".into(), "MY".into()],
                amount: 1200,
                free_from: None,
            },
        ]
    }

    #[test]
    fn options_follow_the_destination() {
        let ids = |country| -> Vec<String> {
            quotes(&table(), country, 1000)
                .into_iter()
                .map(|q| q.id)
                .collect()
        };
        assert_eq!(ids("SG"), ["standard", "express"]);
        assert_eq!(
            ids("sg"),
            ["standard", "express"],
            "codes compare in any case"
        );
        assert_eq!(ids("BR"), ["standard"]);
        let only_express = &table()[1..];
        assert!(quotes(only_express, "BR", 1000).is_empty());
    }

    #[test]
    fn free_from_a_threshold() {
        assert_eq!(quote(&table(), "standard", "BR", 4999).unwrap().amount, 499);
        assert_eq!(quote(&table(), "standard", "BR", 5000).unwrap().amount, 0);
        assert_eq!(
            quote(&table(), "express", "SG", 90_000).unwrap().amount,
            1200
        );
        assert_eq!(quote(&table(), "express", "BR", 1000), None);
        assert_eq!(quote(&table(), "courier", "SG", 1000), None);
    }

    #[test]
    fn validation_names_the_problem() {
        assert_eq!(validate(&table()), Ok(()));
        let mut twice = table();
        twice[1].id = "standard".into();
        assert!(validate(&twice).unwrap_err().contains("used twice"));
        let mut lower = table();
        lower[1].countries = vec!["sg".into()];
        assert!(validate(&lower).unwrap_err().contains("\"sg\""));
        let mut negative = table();
        negative[0].amount = -1;
        assert!(validate(&negative).unwrap_err().contains("negative"));
        let mut nowhere = table();
        nowhere[0].countries.clear();
        assert!(validate(&nowhere).unwrap_err().contains("at least one"));
    }
}
