//! The analytics reports of `groupcart_core::analytics` as CSV tables, one table per chart:
//! the admin API's `format=csv` and the console's downloads are the same files.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use groupcart_core::analytics::CurrencyLtv;
use groupcart_core::analytics::{
    Commerce, Engagement, Funnel, Growth, Ltv, Members, PostingHours, Retention,
};
use groupcart_core::support::ServiceReport;

/// The tables of each report, the first being its default.
pub(crate) const FUNNEL: &[&str] = &["steps"];
pub(crate) const RETENTION: &[&str] = &["cohorts", "days"];
pub(crate) const GROWTH: &[&str] = &["new_customers", "members", "invite_links", "costs"];
pub(crate) const COMMERCE: &[&str] = &["currencies", "coupons"];
pub(crate) const ENGAGEMENT: &[&str] = &["days"];
pub(crate) const MEMBERS: &[&str] = &["chats", "interactions"];
pub(crate) const LTV: &[&str] = &["sources", "tiers"];
pub(crate) const HOURS: &[&str] = &["markets"];
/// The service report (`groupcart_core::support::report`): per group, per agent.
pub(crate) const SERVICE: &[&str] = &["groups", "agents"];

/// A CSV table: a header row, then rows; cells are quoted when needed, and a cell that a
/// spreadsheet would read as a formula is prefixed with `'`.
pub(crate) struct Csv {
    text: String,
    /// The download's file name, without `.csv`.
    name: String,
}

impl Csv {
    fn new(name: &str, header: &[&str]) -> Csv {
        let mut csv = Csv {
            text: String::new(),
            name: name.to_owned(),
        };
        csv.row(header.iter().map(|h| h.to_string()));
        csv
    }

    fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            let cell = if cell.starts_with(['=', '+', '-', '@']) && cell.parse::<f64>().is_err() {
                format!("'{cell}")
            } else {
                cell
            };
            if cell.contains([',', '"', '\n', '\r']) {
                self.text.push('"');
                self.text.push_str(&cell.replace('"', "\"\""));
                self.text.push('"');
            } else {
                self.text.push_str(&cell);
            }
        }
        self.text.push_str("\r\n");
    }

    /// The table as a download.
    pub(crate) fn response(self) -> Response {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.csv\"", self.name),
                ),
            ],
            self.text,
        )
            .into_response()
    }
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub(crate) fn funnel(report: &Funnel) -> Csv {
    let mut csv = Csv::new(
        "funnel",
        &["step", "count", "from_previous", "from_first", "drop_off"],
    );
    for s in &report.steps {
        csv.row([
            s.step.as_str().to_owned(),
            s.count.to_string(),
            opt(s.from_previous),
            opt(s.from_first),
            s.drop_off.to_string(),
        ]);
    }
    csv
}

/// `chart`: one of [`RETENTION`].
pub(crate) fn retention(report: &Retention, chart: &str) -> Csv {
    if chart == "days" {
        let mut csv = Csv::new("retention-days", &["days", "eligible", "returned", "share"]);
        for d in [&report.day_7, &report.day_30] {
            csv.row([
                d.days.to_string(),
                d.eligible.to_string(),
                d.returned.to_string(),
                opt(d.share),
            ]);
        }
        return csv;
    }
    let mut csv = Csv::new(
        "retention-cohorts",
        &[
            "cohort_week",
            "size",
            "week_offset",
            "active",
            "purchasing",
            "active_share",
            "purchasing_share",
        ],
    );
    for c in &report.cohorts {
        for w in &c.weeks {
            csv.row([
                c.week.to_string(),
                c.size.to_string(),
                w.offset.to_string(),
                w.active.to_string(),
                w.purchasing.to_string(),
                opt(w.active_share),
                opt(w.purchasing_share),
            ]);
        }
    }
    csv
}

/// `chart`: one of [`GROWTH`].
pub(crate) fn growth(report: &Growth, chart: &str) -> Csv {
    match chart {
        "members" => {
            let mut csv = Csv::new(
                "growth-members",
                &["bucket", "chat", "source", "joins", "leaves", "net"],
            );
            for m in &report.members {
                csv.row([
                    m.bucket.to_string(),
                    m.chat.to_string(),
                    opt(m.source.as_ref()),
                    m.joins.to_string(),
                    m.leaves.to_string(),
                    m.net.to_string(),
                ]);
            }
            csv
        }
        "invite_links" => {
            let mut csv = Csv::new(
                "growth-invite_links",
                &["source", "joined", "converted", "rate"],
            );
            for l in &report.invite_links {
                csv.row([
                    l.source.clone(),
                    l.joined.to_string(),
                    l.converted.to_string(),
                    opt(l.rate),
                ]);
            }
            csv
        }
        "costs" => {
            let mut csv = Csv::new(
                "growth-costs",
                &[
                    "source",
                    "currency",
                    "cost",
                    "joined",
                    "converted",
                    "cost_per_join",
                    "cost_per_converted",
                    "revenue",
                    "roi",
                ],
            );
            for c in &report.costs {
                csv.row([
                    c.source.clone(),
                    c.currency.clone(),
                    c.cost.to_string(),
                    c.joined.to_string(),
                    c.converted.to_string(),
                    opt(c.cost_per_join),
                    opt(c.cost_per_converted),
                    c.revenue.to_string(),
                    opt(c.roi),
                ]);
            }
            csv
        }
        _ => {
            let mut csv = Csv::new("growth-new_customers", &["bucket", "source", "customers"]);
            for n in &report.new_customers {
                csv.row([
                    n.bucket.to_string(),
                    opt(n.source.as_ref()),
                    n.customers.to_string(),
                ]);
            }
            csv
        }
    }
}

/// `chart`: one of [`COMMERCE`].
pub(crate) fn commerce(report: &Commerce, chart: &str) -> Csv {
    if chart == "coupons" {
        let mut csv = Csv::new(
            "commerce-coupons",
            &[
                "promotion_id",
                "promotion",
                "code",
                "currency",
                "orders",
                "revenue",
                "discount",
                "roi",
            ],
        );
        for c in &report.coupons {
            csv.row([
                c.promotion_id.to_string(),
                c.promotion.clone(),
                opt(c.code.as_ref()),
                c.currency.clone(),
                c.orders.to_string(),
                c.revenue.to_string(),
                c.discount.to_string(),
                opt(c.roi),
            ]);
        }
        return csv;
    }
    let mut csv = Csv::new(
        "commerce-currencies",
        &[
            "currency",
            "orders",
            "gmv",
            "aov",
            "refunded_orders",
            "refunded_amount",
            "refund_rate",
            "net",
            "buyers",
            "repeat_buyers",
            "repeat_purchase_rate",
            "median_days_between_orders",
        ],
    );
    for c in &report.currencies {
        csv.row([
            c.currency.clone(),
            c.orders.to_string(),
            c.gmv.to_string(),
            c.aov.to_string(),
            c.refunded_orders.to_string(),
            c.refunded_amount.to_string(),
            opt(c.refund_rate),
            c.net.to_string(),
            c.buyers.to_string(),
            c.repeat_buyers.to_string(),
            opt(c.repeat_purchase_rate),
            opt(c.median_days_between_orders),
        ]);
    }
    csv
}

pub(crate) fn engagement(report: &Engagement) -> Csv {
    let mut csv = Csv::new("engagement-days", &["day", "active", "messages"]);
    for d in &report.days {
        csv.row([
            d.day.to_string(),
            d.active.to_string(),
            d.messages.to_string(),
        ]);
    }
    csv
}

/// `chart`: one of [`MEMBERS`].
pub(crate) fn members(report: &Members, chart: &str) -> Csv {
    if chart == "interactions" {
        let mut csv = Csv::new(
            "members-interactions",
            &["day", "button_presses", "deep_link_starts", "poll_votes"],
        );
        for d in &report.interactions {
            csv.row([
                d.day.to_string(),
                d.button_presses.to_string(),
                d.deep_link_starts.to_string(),
                d.poll_votes.to_string(),
            ]);
        }
        return csv;
    }
    let mut csv = Csv::new(
        "members-chats",
        &[
            "bot",
            "chat",
            "known_members",
            "spoke",
            "silent",
            "spoke_share",
            "messages",
        ],
    );
    for c in &report.chats {
        csv.row([
            c.bot.clone(),
            c.chat_id.to_string(),
            c.known_members.to_string(),
            c.spoke.to_string(),
            c.silent.to_string(),
            opt(c.spoke_share),
            c.messages.to_string(),
        ]);
    }
    csv
}

/// The `sources` chart: one row per first source and currency (a source without buyers has
/// one row with an empty currency). The `tiers` chart: the same per current tier.
pub(crate) fn ltv(report: &Ltv, chart: &str) -> Csv {
    // (group, customers, currencies) of the chart asked for.
    type Group<'a> = (Option<&'a str>, i64, &'a [CurrencyLtv]);
    let (name, first, groups): (&str, &str, Vec<Group>) = if chart == "tiers" {
        let rows = report.tiers.iter();
        let groups = rows
            .map(|t| (Some(t.tier.as_str()), t.customers, &t.currencies[..]))
            .collect();
        ("ltv-tiers", "tier", groups)
    } else {
        let rows = report.sources.iter();
        let groups = rows
            .map(|s| (s.source.as_deref(), s.customers, &s.currencies[..]))
            .collect();
        ("ltv-sources", "source", groups)
    };
    let mut csv = Csv::new(
        name,
        &[
            first,
            "customers",
            "currency",
            "buyers",
            "revenue",
            "ltv_per_customer",
            "ltv_per_buyer",
        ],
    );
    for (group, customers, currencies) in groups {
        if currencies.is_empty() {
            csv.row([
                opt(group),
                customers.to_string(),
                String::new(),
                "0".to_owned(),
                "0".to_owned(),
                "0".to_owned(),
                String::new(),
            ]);
        }
        for c in currencies {
            csv.row([
                opt(group),
                customers.to_string(),
                c.currency.clone(),
                c.buyers.to_string(),
                c.revenue.to_string(),
                c.per_customer.to_string(),
                opt(c.per_buyer),
            ]);
        }
    }
    csv
}

/// One row per market and local hour (24 per market), with the hour's rank among the top
/// hours (empty when not one of them).
pub(crate) fn hours(report: &PostingHours) -> Csv {
    let mut csv = Csv::new(
        "hours-markets",
        &["market", "zone", "hour", "events", "top_rank"],
    );
    for m in &report.markets {
        for (hour, events) in m.hours.iter().enumerate() {
            let rank = m.top.iter().position(|h| *h as usize == hour);
            csv.row([
                m.market.clone(),
                m.zone.clone(),
                hour.to_string(),
                events.to_string(),
                opt(rank.map(|r| r + 1)),
            ]);
        }
    }
    csv
}

/// The service report's rows per group or per agent (`chart`), with the figures as the
/// admin API's `/support/report` gives them (seconds, per mille, CSAT × 100).
pub(crate) fn service(report: &ServiceReport, chart: &str) -> Csv {
    let agents = chart == "agents";
    let mut csv = Csv::new(
        if agents {
            "service-agents"
        } else {
            "service-groups"
        },
        &[
            if agents { "agent" } else { "group" },
            "name",
            "tickets",
            "responded",
            "first_response_seconds_avg",
            "first_response_seconds_median",
            "resolved",
            "resolution_seconds_avg",
            "breached",
            "breach_rate_per_mille",
            "csat_responses",
            "csat_avg_x100",
            "nps_responses",
            "nps",
        ],
    );
    let rows = if agents {
        &report.agents
    } else {
        &report.groups
    };
    for row in rows {
        let f = &row.figures;
        csv.row([
            row.key.clone(),
            opt(row.name.as_ref()),
            f.tickets.to_string(),
            f.responded.to_string(),
            opt(f.first_response_seconds_avg),
            opt(f.first_response_seconds_median),
            f.resolved.to_string(),
            opt(f.resolution_seconds_avg),
            f.breached.to_string(),
            opt(f.breach_rate_per_mille),
            f.csat_responses.to_string(),
            opt(f.csat_avg_x100),
            f.nps_responses.to_string(),
            opt(f.nps),
        ]);
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        let mut csv = Csv::new("t", &["a", "b"]);
        csv.row(["x,y".to_owned(), "=SUM(A1)".to_owned()]);
        csv.row(["say \"hi\"".to_owned(), "-0.5".to_owned()]);
        assert_eq!(
            csv.text,
            "a,b\r\n\"x,y\",'=SUM(A1)\r\n\"say \"\"hi\"\"\",-0.5\r\n"
        );
    }
}
