//! The analytics contract ([`AnalyticsStore`] and the reports of `groupcart_core::analytics`):
//! a pseudo-random but deterministic dataset (a few hundred people over ten weeks: joins
//! and leaves through invite links, customers of several sources, languages and markets,
//! funnel events, activity and passive events, messages, FAQ answers and tickets, orders in
//! two currencies with refunds, cancellations and coupons) is written through the store's
//! ports, and every report over several ranges and filters is compared with a
//! straightforward computation over the same data written here. Every test runs once on
//! SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`AnalyticsStore`]: groupcart_core::analytics::AnalyticsStore

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc};
use groupcart_core::analytics::{
    self, day_of, is_activity, mau_from, ratio, week_start, AnalyticsQuery, Bucket, Cohort,
    CohortWeek, Commerce, CouponFigures, CurrencyFigures, CurrencyLtv, DayRetention, Engagement,
    EngagementDay, Funnel, FunnelRow, FunnelStep, Growth, LinkConversion, Ltv, MarketHours,
    MemberGrowth, NewCustomers, PostingHours, Retention, SourceCost, SourceCostDraft,
    SourceCostFigures, SourceCostId, SourceLtv, TierLtv,
};
use groupcart_core::analytics::{ChatMemberCounts, InteractionDays, Members};
use groupcart_core::community::{InviteLink, MemberChange};
use groupcart_core::coupon::{Limits, NewDiscount, PromotionDraft, PromotionStatus};
use groupcart_core::crm::ProfileChange;
use groupcart_core::customer::{CustomerId, CustomerSighting};
use groupcart_core::event::NewEvent;
use groupcart_core::promotion::{Benefit, PerCurrency, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::segment::SegmentDraft;
use groupcart_core::shop::{NewOrder, OrderLine, OrderStatus};
use groupcart_core::store::SharedStore;
use groupcart_core::tiers::{CustomerTier, Tier, TierPromotions, TierSettings};
use groupcart_store_contract::fixtures::{shelf, transition};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

groupcart_store_contract::backend_tests!(
    figures_equal_a_reference_computation,
    an_empty_database_answers_zeros,
    bad_ranges_are_refused,
    erasure_keeps_the_counts_and_drops_the_telegram_id,
    event_counts_per_kind_bot_and_chat,
    source_costs_are_kept_listed_and_deleted,
    posting_hours_follow_each_markets_clock,
    members_and_interactions_equal_a_reference,
);

// --- the dataset ---

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Monday 2025-06-02 00:00 UTC.
fn d0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 0, 0, 0).unwrap()
}

fn day(n: i64) -> NaiveDate {
    d0().date_naive() + Duration::days(n)
}

const CHAT_A: i64 = -1001;
const CHAT_B: i64 = -1002;
const SPAN_DAYS: i64 = 70;

#[derive(Debug, Clone)]
struct Person {
    tg: i64,
    customer: Option<SeedCustomer>,
}

#[derive(Debug, Clone)]
struct SeedCustomer {
    id: i64,
    first_seen: DateTime<Utc>,
    source: Option<String>,
    language: Option<String>,
    country: Option<String>,
}

#[derive(Debug, Clone)]
struct SeedOrder {
    id: i64,
    customer: i64,
    currency: String,
    total: i64,
    paid_at: Option<DateTime<Utc>>,
    refunded: bool,
    /// (promotion id, name, code, discount)
    discounts: Vec<(i64, String, Option<String>, i64)>,
}

#[derive(Default)]
struct Seed {
    people: Vec<Person>,
    events: Vec<NewEvent>,
    changes: Vec<MemberChange>,
    links: BTreeMap<String, String>,
    orders: Vec<SeedOrder>,
    /// (source, currency, amount, spent_on) of the costs entered.
    costs: Vec<(String, String, i64, NaiveDate)>,
    /// The tier keys of the ladder, base first.
    ladder: Vec<String>,
    /// Customer id → stored tier (customers without one have the base tier).
    tiers: BTreeMap<i64, String>,
}

impl Seed {
    fn customer(&self, id: i64) -> Option<&SeedCustomer> {
        self.people
            .iter()
            .filter_map(|p| p.customer.as_ref())
            .find(|c| c.id == id)
    }
    fn person_of_customer(&self, id: i64) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| p.customer.as_ref().is_some_and(|c| c.id == id))
    }
}

fn promotion_draft(name: &str, trigger: Trigger) -> PromotionDraft {
    PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: name.to_owned(),
            trigger,
            benefit: Benefit::Percent { basis_points: 1000 },
            min_spend: PerCurrency::new(),
            scope: Scope::default(),
            starts_at: None,
            ends_at: None,
            combinable: true,
        },
        limits: Limits::default(),
        status: PromotionStatus::Active,
        listed: false,
        source: None,
    }
}

/// A random instant of day `n` (sometimes exactly its midnight, or a millisecond before the
/// next one).
fn instant(rng: &mut Rng, n: i64) -> DateTime<Utc> {
    let start = d0() + Duration::days(n);
    match rng.below(10) {
        0 => start,
        1 => start + Duration::days(1) - Duration::milliseconds(1),
        _ => start + Duration::milliseconds(rng.below(86_400_000) as i64),
    }
}

async fn seed(store: &SharedStore) -> Seed {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = Seed::default();
    let shelf = shelf(store, "tea", 1_000_000).await;
    let spring = store
        .create_promotion(
            &promotion_draft("Spring", Trigger::Code("SPRING".into())),
            d0(),
        )
        .await
        .unwrap();
    let welcome = store
        .create_promotion(&promotion_draft("Welcome", Trigger::Automatic), d0())
        .await
        .unwrap();
    for (link, chat, source) in [
        ("https://t.me/+a", CHAT_A, "ad-fb"),
        ("https://t.me/+b", CHAT_A, "kol-anna"),
        ("https://t.me/+c", CHAT_B, "ad-fb"),
    ] {
        store
            .save_invite_link(&InviteLink {
                link: link.into(),
                bot: "shop_bot".into(),
                chat_id: chat,
                name: source.into(),
                source: source.into(),
                creates_join_request: false,
                expire_date: None,
                member_limit: None,
                created_at: d0(),
            })
            .await
            .unwrap();
        s.links.insert(link.into(), source.into());
    }

    let sources = [None, Some("ad-fb"), Some("kol-anna"), Some("ref-7")];
    let languages = [None, Some("en"), Some("zh")];
    let countries = [None, Some("TH"), Some("CN")];
    let mut tx = store.begin().await.unwrap();
    for i in 0..320_i64 {
        let tg = 10_000 + i;
        let mut person = Person { tg, customer: None };
        // Joins (and some leaves) of the chats, customers or not.
        if rng.chance(60) {
            let (chat, link) = *rng.pick(&[
                (CHAT_A, None),
                (CHAT_A, Some("https://t.me/+a")),
                (CHAT_A, Some("https://t.me/+b")),
                (CHAT_B, Some("https://t.me/+c")),
                (CHAT_B, None),
            ]);
            let joined_day = rng.below(SPAN_DAYS as u64 + 10) as i64 - 5;
            let at = instant(&mut rng, joined_day);
            s.changes.push(MemberChange {
                bot: "shop_bot".into(),
                chat_id: chat,
                user_id: tg,
                customer_id: None,
                joined: true,
                invite_link: link.map(str::to_owned),
                via_join_request: false,
                at,
            });
            if rng.chance(30) {
                s.changes.push(MemberChange {
                    bot: "shop_bot".into(),
                    chat_id: chat,
                    user_id: tg,
                    customer_id: None,
                    joined: false,
                    invite_link: None,
                    via_join_request: false,
                    at: at + Duration::hours(rng.below(400) as i64 + 1),
                });
            }
        }
        if i % 7 != 3 {
            let first_day = rng.below(SPAN_DAYS as u64) as i64;
            let first_seen = if i % 17 == 0 {
                d0() + Duration::days(first_day)
            } else {
                instant(&mut rng, first_day)
            };
            let source = rng.pick(&sources).map(str::to_owned);
            let upserted = tx
                .upsert_customer(&CustomerSighting {
                    telegram_user_id: tg,
                    first_name: "Ada".into(),
                    last_name: None,
                    username: None,
                    telegram_language: None,
                    source: source.clone(),
                    bot: "shop_bot".into(),
                    at: first_seen,
                })
                .await
                .unwrap();
            let id = upserted.customer.id;
            let language = rng.pick(&languages).map(str::to_owned);
            if let Some(language) = &language {
                tx.set_customer_language(id, language).await.unwrap();
            }
            let country = rng.pick(&countries).map(str::to_owned);
            if let Some(country) = &country {
                let change = ProfileChange {
                    country: Some(country.clone()),
                    ..ProfileChange::default()
                };
                tx.change_profile(id, &change).await.unwrap();
            }
            person.customer = Some(SeedCustomer {
                id: id.0,
                first_seen,
                source,
                language,
                country,
            });
        }
        s.people.push(person);
    }
    for change in &s.changes {
        tx.record_member_change(change).await.unwrap();
    }
    tx.commit().await.unwrap();

    // Funnel steps, activity and passive events, messages and support.
    let customers: Vec<SeedCustomer> = s.people.iter().filter_map(|p| p.customer.clone()).collect();
    let mut paid_times: Vec<(i64, DateTime<Utc>)> = Vec::new();
    for c in &customers {
        let id = CustomerId(c.id);
        let later = |rng: &mut Rng, from: DateTime<Utc>| {
            from + Duration::milliseconds(rng.below(12 * 86_400_000) as i64)
        };
        let ev =
            |kind: &str, at: DateTime<Utc>| NewEvent::new(kind, at).bot("shop_bot").customer(id);
        s.events.push(ev("customer_created", c.first_seen));
        if rng.chance(85) {
            s.events.push(ev("conversation_started", c.first_seen));
        }
        let mut at = c.first_seen;
        for (kind, percent) in [
            ("product_viewed", 70),
            ("cart_added", 60),
            ("checkout_started", 70),
            ("order_paid", 75),
        ] {
            if !rng.chance(percent) {
                break;
            }
            at = later(&mut rng, at);
            s.events.push(ev(kind, at));
            if kind == "order_paid" {
                paid_times.push((c.id, at));
                // Some buy again.
                if rng.chance(35) {
                    let again = later(&mut rng, at);
                    s.events.push(ev("order_paid", again));
                    paid_times.push((c.id, again));
                }
            }
            if rng.chance(30) {
                // Doing a step again later does not move the first time.
                s.events.push(ev(kind, later(&mut rng, at)));
            }
        }
        for _ in 0..rng.below(6) {
            let kind = *rng.pick(&[
                "giveaway_entered",
                "language_chosen",
                "message_sent",
                "lifecycle_changed",
                "faq_answered",
                "ticket_opened",
                "referral_reviewed",
            ]);
            s.events.push(ev(kind, later(&mut rng, c.first_seen)));
        }
    }
    for _ in 0..400 {
        let chat = *rng.pick(&[CHAT_A, CHAT_B, 10_001, 10_002]);
        let kind = *rng.pick(&["message", "message", "callback_query"]);
        let n = rng.below(SPAN_DAYS as u64) as i64;
        let mut e = NewEvent::new("update_received", instant(&mut rng, n))
            .chat(chat)
            .bot("shop_bot")
            .data(json!({ "update_id": 1, "kind": kind }));
        e.chat_id = Some(chat);
        s.events.push(e);
    }
    let mut tx = store.begin().await.unwrap();
    for e in &s.events {
        tx.append_event(e).await.unwrap();
    }
    tx.commit().await.unwrap();

    // Orders: one per paid event, plus unpaid ones; refunds, cancellations, coupons.
    for (i, (customer, paid_at)) in paid_times.iter().enumerate() {
        let currency = if rng.chance(25) { "EUR" } else { "USD" };
        let amount = 500 + rng.below(4500) as i64;
        let mut discounts = Vec::new();
        let mut new_discounts = Vec::new();
        if rng.chance(30) {
            let off = amount / 10;
            new_discounts.push(NewDiscount {
                promotion_id: spring.promotion.id,
                code: Some("SPRING".into()),
                unique_code: false,
                amount: off,
                shipping_amount: 0,
            });
            discounts.push((
                spring.promotion.id.0,
                "Spring".into(),
                Some("SPRING".into()),
                off,
            ));
        }
        if rng.chance(20) {
            let off = 100;
            new_discounts.push(NewDiscount {
                promotion_id: welcome.promotion.id,
                code: None,
                unique_code: false,
                amount: off,
                shipping_amount: 0,
            });
            discounts.push((welcome.promotion.id.0, "Welcome".into(), None, off));
        }
        let discount: i64 = discounts.iter().map(|d| d.3).sum();
        let mut tx = store.begin().await.unwrap();
        let order = tx
            .place_order(&NewOrder {
                customer_id: CustomerId(*customer),
                bot: "shop_bot".into(),
                currency: currency.parse().unwrap(),
                lines: vec![OrderLine {
                    variant_id: shelf.1,
                    product_id: shelf.0,
                    sku: None,
                    title: "Tea".into(),
                    quantity: 1,
                    unit_price: amount,
                }],
                shipping_cost: 0,
                discount,
                discounts: new_discounts,
                shipping_address: None,
                shipping_option: None,
                source: None,
                reservation_expires_at: *paid_at + Duration::minutes(15),
                at: *paid_at - Duration::minutes(1),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let pay = i % 11 != 5;
        let mut refunded = false;
        if pay {
            let paid = OrderStatus::Paid;
            transition(
                store,
                order.id,
                OrderStatus::PendingPayment,
                paid,
                "t",
                *paid_at,
            )
            .await
            .unwrap();
            let later = *paid_at + Duration::days(2);
            if i % 7 == 2 {
                transition(store, order.id, paid, OrderStatus::Refunded, "t", later)
                    .await
                    .unwrap();
                refunded = true;
            } else if i % 13 == 4 {
                transition(store, order.id, paid, OrderStatus::Cancelled, "t", later)
                    .await
                    .unwrap();
                refunded = true;
            }
        }
        s.orders.push(SeedOrder {
            id: order.id.0,
            customer: *customer,
            currency: currency.into(),
            total: order.total,
            paid_at: pay.then_some(*paid_at),
            refunded,
            discounts,
        });
    }
    s
}

// --- the reference ---

fn matches(s: &Seed, c: &SeedCustomer, q: &AnalyticsQuery) -> bool {
    q.source
        .as_ref()
        .is_none_or(|v| c.source.as_ref() == Some(v))
        && q.language
            .as_ref()
            .is_none_or(|v| c.language.as_ref() == Some(v))
        && q.country
            .as_ref()
            .is_none_or(|v| c.country.as_ref() == Some(v))
        && q.chat.is_none_or(|chat| {
            let tg = s.person_of_customer(c.id).map(|p| p.tg);
            joined_chat(s, tg, chat)
        })
        && q.segment_customers
            .as_ref()
            .is_none_or(|ids| ids.contains(&c.id))
}

fn joined_chat(s: &Seed, tg: Option<i64>, chat: i64) -> bool {
    s.changes
        .iter()
        .any(|m| Some(m.user_id) == tg && m.chat_id == chat && m.joined)
}

/// Whether a person passes the filters: customer filters need a matching customer.
fn person_matches(s: &Seed, p: &Person, q: &AnalyticsQuery, with_chat: bool) -> bool {
    let q2 = AnalyticsQuery {
        chat: if with_chat { q.chat } else { None },
        ..q.clone()
    };
    match &p.customer {
        Some(c) => matches(s, c, &q2),
        None => {
            !q.filters_customers() && q2.chat.is_none_or(|chat| joined_chat(s, Some(p.tg), chat))
        }
    }
}

fn in_range(q: &AnalyticsQuery, at: DateTime<Utc>) -> bool {
    at >= q.start() && at < q.end()
}

fn ref_funnel(s: &Seed, q: &AnalyticsQuery) -> Funnel {
    let mut first: BTreeMap<(i64, FunnelStep), DateTime<Utc>> = BTreeMap::new();
    let mut reach = |tg: i64, step: FunnelStep, at: DateTime<Utc>| {
        let e = first.entry((tg, step)).or_insert(at);
        *e = (*e).min(at);
    };
    for m in s.changes.iter().filter(|m| m.joined) {
        reach(m.user_id, FunnelStep::Joined, m.at);
    }
    for e in &s.events {
        if let (Some(step), Some(c)) = (FunnelStep::of_kind(&e.kind), e.customer_id) {
            if let Some(p) = s.person_of_customer(c.0) {
                reach(p.tg, step, e.at);
            }
        }
    }
    let counts: Vec<i64> = FunnelStep::ALL
        .iter()
        .map(|&step| {
            s.people
                .iter()
                .filter(|p| person_matches(s, p, q, true))
                .filter(|p| first.get(&(p.tg, step)).is_some_and(|at| in_range(q, *at)))
                .count() as i64
        })
        .collect();
    let steps = FunnelStep::ALL
        .iter()
        .enumerate()
        .map(|(i, &step)| {
            let previous = (i > 0).then(|| counts[i - 1]);
            FunnelRow {
                step,
                count: counts[i],
                from_previous: previous.and_then(|p| ratio(counts[i], p)),
                from_first: ratio(counts[i], counts[0]),
                drop_off: previous.map_or(0, |p| p - counts[i]),
            }
        })
        .collect();
    Funnel { steps }
}

/// (customer, day) pairs of activity.
fn activity(s: &Seed) -> BTreeSet<(i64, NaiveDate)> {
    s.events
        .iter()
        .filter(|e| is_activity(&e.kind))
        .filter_map(|e| e.customer_id.map(|c| (c.0, day_of(e.at))))
        .collect()
}

fn cohort<'s>(s: &'s Seed, q: &AnalyticsQuery) -> Vec<&'s SeedCustomer> {
    s.people
        .iter()
        .filter_map(|p| p.customer.as_ref())
        .filter(|c| in_range(q, c.first_seen) && matches(s, c, q))
        .collect()
}

fn ref_retention(s: &Seed, q: &AnalyticsQuery, weeks: u32) -> Retention {
    let active = activity(s);
    let members = cohort(s, q);
    let mut by_week: BTreeMap<NaiveDate, Vec<&SeedCustomer>> = BTreeMap::new();
    for c in &members {
        by_week
            .entry(week_start(day_of(c.first_seen)))
            .or_default()
            .push(c);
    }
    let cohorts = by_week
        .into_iter()
        .map(|(week, list)| {
            let size = list.len() as i64;
            Cohort {
                week,
                size,
                weeks: (0..=weeks)
                    .map(|offset| {
                        let from = week + Duration::days(7 * i64::from(offset));
                        let to = from + Duration::days(7);
                        let act = list
                            .iter()
                            .filter(|c| {
                                active
                                    .iter()
                                    .any(|&(id, d)| id == c.id && d >= from && d < to)
                            })
                            .count() as i64;
                        let pur = list
                            .iter()
                            .filter(|c| {
                                s.orders.iter().any(|o| {
                                    o.customer == c.id
                                        && o.paid_at
                                            .is_some_and(|p| day_of(p) >= from && day_of(p) < to)
                                })
                            })
                            .count() as i64;
                        CohortWeek {
                            offset,
                            active: act,
                            purchasing: pur,
                            active_share: ratio(act, size),
                            purchasing_share: ratio(pur, size),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let day_n = |n: i64| {
        let eligible: Vec<_> = members
            .iter()
            .filter(|c| day_of(c.first_seen) + Duration::days(n) <= q.to)
            .collect();
        let returned = eligible
            .iter()
            .filter(|c| {
                active
                    .iter()
                    .any(|&(id, d)| id == c.id && d >= day_of(c.first_seen) + Duration::days(n))
            })
            .count() as i64;
        DayRetention {
            days: n,
            eligible: eligible.len() as i64,
            returned,
            share: ratio(returned, eligible.len() as i64),
        }
    };
    Retention {
        cohorts,
        day_7: day_n(7),
        day_30: day_n(30),
    }
}

fn ref_growth(s: &Seed, q: &AnalyticsQuery, bucket: Bucket) -> Growth {
    let mut new: BTreeMap<(NaiveDate, Option<String>), i64> = BTreeMap::new();
    for c in cohort(s, q) {
        *new.entry((bucket.start(day_of(c.first_seen)), c.source.clone()))
            .or_default() += 1;
    }
    let person = |tg: i64| s.people.iter().find(|p| p.tg == tg);
    let changes: Vec<&MemberChange> = s
        .changes
        .iter()
        .filter(|m| in_range(q, m.at) && q.chat.is_none_or(|c| c == m.chat_id))
        .filter(|m| person(m.user_id).is_some_and(|p| person_matches(s, p, q, false)))
        .collect();
    let mut members: BTreeMap<(NaiveDate, i64, Option<String>), (i64, i64)> = BTreeMap::new();
    for m in &changes {
        let source = m.invite_link.as_ref().and_then(|l| s.links.get(l).cloned());
        let e = members
            .entry((bucket.start(day_of(m.at)), m.chat_id, source))
            .or_default();
        if m.joined {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let mut links: BTreeMap<String, (BTreeSet<i64>, BTreeSet<i64>)> = BTreeMap::new();
    for m in changes.iter().filter(|m| m.joined) {
        let Some(source) = m.invite_link.as_ref().and_then(|l| s.links.get(l)) else {
            continue;
        };
        let e = links.entry(source.clone()).or_default();
        e.0.insert(m.user_id);
        let customer = person(m.user_id).and_then(|p| p.customer.as_ref());
        let converted = customer.is_some_and(|c| {
            s.orders
                .iter()
                .any(|o| o.customer == c.id && o.paid_at.is_some_and(|p| p >= m.at))
        });
        if converted {
            e.1.insert(m.user_id);
        }
    }
    Growth {
        bucket,
        new_customers: new
            .into_iter()
            .map(|((bucket, source), customers)| NewCustomers {
                bucket,
                source,
                customers,
            })
            .collect(),
        members: members
            .into_iter()
            .map(|((bucket, chat, source), (joins, leaves))| MemberGrowth {
                bucket,
                chat,
                source,
                joins,
                leaves,
                net: joins - leaves,
            })
            .collect(),
        costs: {
            let mut spent: BTreeMap<(String, String), i64> = BTreeMap::new();
            for (source, currency, amount, on) in &s.costs {
                if *on >= q.from && *on <= q.to {
                    *spent.entry((source.clone(), currency.clone())).or_default() += amount;
                }
            }
            spent
                .into_iter()
                .map(|((source, currency), cost)| {
                    let (joined, converted) = links
                        .get(&source)
                        .map_or((0, 0), |(j, c)| (j.len() as i64, c.len() as i64));
                    // Orders paid in the range by the (filtered) customers of this first
                    // source, in this currency, not refunded or cancelled since.
                    let revenue: i64 = s
                        .orders
                        .iter()
                        .filter(|o| o.currency == currency && !o.refunded)
                        .filter(|o| o.paid_at.is_some_and(|p| in_range(q, p)))
                        .filter(|o| {
                            s.customer(o.customer).is_some_and(|c| {
                                c.source.as_deref() == Some(source.as_str()) && matches(s, c, q)
                            })
                        })
                        .map(|o| o.total)
                        .sum();
                    SourceCostFigures {
                        cost_per_join: (joined > 0).then(|| cost / joined),
                        cost_per_converted: (converted > 0).then(|| cost / converted),
                        roi: Some(revenue as f64 / cost as f64),
                        source,
                        currency,
                        cost,
                        joined,
                        converted,
                        revenue,
                    }
                })
                .collect()
        },
        invite_links: links
            .into_iter()
            .map(|(source, (joined, converted))| LinkConversion {
                source,
                joined: joined.len() as i64,
                converted: converted.len() as i64,
                rate: ratio(converted.len() as i64, joined.len() as i64),
            })
            .collect(),
    }
}

/// Per currency: the buyers and their revenue net of refunds.
type CurrencyTotals = BTreeMap<String, (BTreeSet<i64>, i64)>;

fn ref_ltv(s: &Seed, q: &AnalyticsQuery) -> Ltv {
    // Customers and per-currency totals of each group, the groups picked by `key`.
    fn groups<K: Ord>(
        s: &Seed,
        q: &AnalyticsQuery,
        key: impl Fn(&SeedCustomer) -> K,
    ) -> Vec<(K, i64, Vec<CurrencyLtv>)> {
        let mut groups: BTreeMap<K, (i64, CurrencyTotals)> = BTreeMap::new();
        for c in cohort(s, q) {
            let e = groups.entry(key(c)).or_default();
            e.0 += 1;
            for o in s
                .orders
                .iter()
                .filter(|o| o.customer == c.id && o.paid_at.is_some())
            {
                let m = e.1.entry(o.currency.clone()).or_default();
                m.0.insert(c.id);
                if !o.refunded {
                    m.1 += o.total;
                }
            }
        }
        groups
            .into_iter()
            .map(|(key, (customers, currencies))| {
                let currencies = currencies
                    .into_iter()
                    .map(|(currency, (buyers, revenue))| CurrencyLtv {
                        currency,
                        buyers: buyers.len() as i64,
                        revenue,
                        per_customer: revenue / customers,
                        per_buyer: Some(revenue / buyers.len() as i64),
                    })
                    .collect();
                (key, customers, currencies)
            })
            .collect()
    }
    let base = s.ladder.first().map_or("member", String::as_str);
    // Ladder position first (off the ladder: after it), then the key.
    let tier_of = |c: &SeedCustomer| {
        let tier = s.tiers.get(&c.id).map_or(base, String::as_str).to_owned();
        let place = s
            .ladder
            .iter()
            .position(|t| *t == tier)
            .unwrap_or(usize::MAX);
        (place, tier)
    };
    Ltv {
        sources: groups(s, q, |c| c.source.clone())
            .into_iter()
            .map(|(source, customers, currencies)| SourceLtv {
                source,
                customers,
                currencies,
            })
            .collect(),
        tiers: groups(s, q, tier_of)
            .into_iter()
            .map(|((_, tier), customers, currencies)| TierLtv {
                tier,
                customers,
                currencies,
            })
            .collect(),
    }
}

/// The zone of a market of the dataset and its offset from UTC in hours (neither zone keeps
/// daylight saving time), written out here.
fn zone_of(market: &str) -> (&'static str, i64) {
    match market {
        "TH" => ("Asia/Bangkok", 7),
        "CN" => ("Asia/Shanghai", 8),
        _ => ("UTC", 0),
    }
}

fn ref_hours(s: &Seed, q: &AnalyticsQuery) -> PostingHours {
    let mut markets: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for e in s
        .events
        .iter()
        .filter(|e| is_activity(&e.kind) && in_range(q, e.at))
    {
        let Some(c) = e.customer_id.and_then(|id| s.customer(id.0)) else {
            continue;
        };
        if !matches(s, c, q) {
            continue;
        }
        let market = c.country.clone().unwrap_or_else(|| "unknown".into());
        let hour = (e.at + Duration::hours(zone_of(&market).1)).hour() as usize;
        markets.entry(market).or_insert_with(|| vec![0; 24])[hour] += 1;
    }
    let mut out: Vec<MarketHours> = markets
        .into_iter()
        .map(|(market, hours)| {
            let mut order: Vec<u32> = (0..24).collect();
            order.sort_by_key(|h| (-hours[*h as usize], *h));
            MarketHours {
                zone: zone_of(&market).0.into(),
                events: hours.iter().sum(),
                top: order
                    .into_iter()
                    .filter(|h| hours[*h as usize] > 0)
                    .take(3)
                    .collect(),
                market,
                hours,
            }
        })
        .collect();
    out.sort_by(|a, b| (-a.events, &a.market).cmp(&(-b.events, &b.market)));
    PostingHours { markets: out }
}

fn ref_commerce(s: &Seed, q: &AnalyticsQuery) -> Commerce {
    let paid: Vec<&SeedOrder> = s
        .orders
        .iter()
        .filter(|o| o.paid_at.is_some_and(|p| in_range(q, p)))
        .filter(|o| s.customer(o.customer).is_some_and(|c| matches(s, c, q)))
        .collect();
    let currencies: BTreeSet<&str> = paid.iter().map(|o| o.currency.as_str()).collect();
    let currencies = currencies
        .into_iter()
        .map(|currency| {
            let list: Vec<&&SeedOrder> = paid.iter().filter(|o| o.currency == currency).collect();
            let orders = list.len() as i64;
            let gmv: i64 = list.iter().map(|o| o.total).sum();
            let refunded_orders = list.iter().filter(|o| o.refunded).count() as i64;
            let refunded_amount: i64 = list.iter().filter(|o| o.refunded).map(|o| o.total).sum();
            let buyers: BTreeSet<i64> = list.iter().map(|o| o.customer).collect();
            let mut gaps = Vec::new();
            let mut repeat = 0;
            for b in &buyers {
                let mut times: Vec<(DateTime<Utc>, i64)> = list
                    .iter()
                    .filter(|o| o.customer == *b)
                    .filter_map(|o| o.paid_at.map(|p| (p, o.id)))
                    .collect();
                times.sort();
                if times.len() >= 2 {
                    repeat += 1;
                }
                for w in times.windows(2) {
                    gaps.push((w[1].0 - w[0].0).num_milliseconds() as f64 / 86_400_000.0);
                }
            }
            gaps.sort_by(f64::total_cmp);
            let median = match gaps.len() {
                0 => None,
                n if n % 2 == 1 => Some(gaps[n / 2]),
                n => Some((gaps[n / 2 - 1] + gaps[n / 2]) / 2.0),
            };
            CurrencyFigures {
                currency: currency.into(),
                orders,
                gmv,
                aov: gmv / orders,
                refunded_orders,
                refunded_amount,
                refund_rate: ratio(refunded_orders, orders),
                net: gmv - refunded_amount,
                buyers: buyers.len() as i64,
                repeat_buyers: repeat,
                repeat_purchase_rate: ratio(repeat, buyers.len() as i64),
                median_days_between_orders: median,
            }
        })
        .collect();
    type Key = (i64, Option<String>, String);
    let mut coupons: BTreeMap<Key, (String, i64, i64, i64)> = BTreeMap::new();
    for o in &paid {
        for (id, name, code, off) in &o.discounts {
            let e = coupons
                .entry((*id, code.clone(), o.currency.clone()))
                .or_insert_with(|| (name.clone(), 0, 0, 0));
            e.1 += 1;
            e.2 += o.total;
            e.3 += off;
        }
    }
    Commerce {
        currencies,
        coupons: coupons
            .into_iter()
            .map(
                |((promotion_id, code, currency), (promotion, orders, revenue, discount))| {
                    CouponFigures {
                        promotion_id,
                        promotion,
                        code,
                        currency,
                        orders,
                        revenue,
                        discount,
                        roi: ratio(revenue, discount),
                    }
                },
            )
            .collect(),
    }
}

fn ref_engagement(s: &Seed, q: &AnalyticsQuery) -> Engagement {
    let active: Vec<(i64, NaiveDate)> = activity(s)
        .into_iter()
        .filter(|(c, _)| s.customer(*c).is_some_and(|c| matches(s, c, q)))
        .collect();
    let days: Vec<EngagementDay> = q
        .from
        .iter_days()
        .take_while(|d| *d <= q.to)
        .map(|d| EngagementDay {
            day: d,
            active: active.iter().filter(|(_, a)| *a == d).count() as i64,
            messages: s
                .events
                .iter()
                .filter(|e| e.kind == "update_received" && day_of(e.at) == d)
                .filter(|e| e.data["kind"] == "message")
                .filter(|e| q.chat.is_none_or(|c| e.chat_id == Some(c)))
                .count() as i64,
        })
        .collect();
    let window = mau_from(q);
    let mau = active
        .iter()
        .filter(|(_, d)| *d >= window && *d <= q.to)
        .map(|(c, _)| *c)
        .collect::<BTreeSet<_>>()
        .len() as i64;
    let window_days = (q.to - window).num_days() + 1;
    let sum: i64 = days
        .iter()
        .filter(|d| d.day >= window)
        .map(|d| d.active)
        .sum();
    let mean_dau = sum as f64 / window_days as f64;
    let count = |kind: &str| {
        s.events
            .iter()
            .filter(|e| e.kind == kind && in_range(q, e.at))
            .filter(|e| {
                e.customer_id
                    .and_then(|c| s.customer(c.0))
                    .is_some_and(|c| matches(s, c, q))
            })
            .count() as i64
    };
    let (faq, tickets) = (count("faq_answered"), count("ticket_opened"));
    Engagement {
        days,
        mau_from: window,
        mau,
        mean_dau,
        stickiness: (mau != 0).then(|| mean_dau / mau as f64),
        faq_answered: faq,
        tickets_opened: tickets,
        faq_deflection: ratio(faq, faq + tickets),
    }
}

fn queries() -> Vec<(&'static str, AnalyticsQuery)> {
    let whole = AnalyticsQuery::new(day(0), day(SPAN_DAYS - 1));
    let middle = AnalyticsQuery::new(day(14), day(41));
    vec![
        ("whole span", whole.clone()),
        ("a longer range", AnalyticsQuery::new(day(-10), day(120))),
        ("one day", AnalyticsQuery::new(day(20), day(20))),
        (
            "middle, source ad-fb",
            AnalyticsQuery {
                source: Some("ad-fb".into()),
                ..middle.clone()
            },
        ),
        (
            "middle, zh speakers of chat A",
            AnalyticsQuery {
                language: Some("zh".into()),
                chat: Some(CHAT_A),
                ..middle.clone()
            },
        ),
        (
            "whole span, chat B",
            AnalyticsQuery {
                chat: Some(CHAT_B),
                ..whole.clone()
            },
        ),
        (
            "whole span, Thailand",
            AnalyticsQuery {
                country: Some("TH".into()),
                ..whole.clone()
            },
        ),
        ("nothing there", AnalyticsQuery::new(day(2000), day(2010))),
    ]
}

// --- tests ---

async fn figures_equal_a_reference_computation(store: SharedStore) {
    let mut s = seed(&store).await;
    // Costs: two days of one source, another source, a source no link has, one outside.
    for (source, currency, amount, n) in [
        ("ad-fb", "USD", 100_000, 3),
        ("ad-fb", "USD", 50_001, 30),
        ("ad-fb", "EUR", 777, 20),
        ("kol-anna", "USD", 12_345, 40),
        ("no-link", "USD", 999, 10),
        ("ad-fb", "USD", 5, 500),
    ] {
        let draft = SourceCostDraft {
            source: source.into(),
            currency: currency.into(),
            amount,
            spent_on: day(n),
            note: String::new(),
        };
        analytics::add_source_cost(store.as_ref(), &draft, d0())
            .await
            .unwrap();
        s.costs
            .push((source.into(), currency.into(), amount, day(n)));
    }
    // Tiers: a ladder whose base is not `member`; stored tiers for some customers (the base
    // stored explicitly for some, a key no longer on the ladder for others), none for the
    // rest.
    let tier = |key: &str, min: i64| Tier {
        key: key.into(),
        names: BTreeMap::new(),
        min_spend: if min > 0 {
            PerCurrency::from([("USD".parse().unwrap(), min)])
        } else {
            PerCurrency::new()
        },
        min_points: None,
        discount_percent: 0,
        free_shipping: false,
        early_access_minutes: 0,
        promotions: TierPromotions::default(),
    };
    let ladder = TierSettings {
        tiers: vec![tier("basic", 0), tier("silver", 1_000), tier("gold", 5_000)],
    };
    store.set_tier_settings(&ladder, d0()).await.unwrap();
    s.ladder = ladder.tiers.iter().map(|t| t.key.clone()).collect();
    let ids: Vec<i64> = s
        .people
        .iter()
        .filter_map(|p| p.customer.as_ref())
        .map(|c| c.id)
        .collect();
    let mut tx = store.begin().await.unwrap();
    for id in ids {
        let key = match (id % 13, id % 5) {
            (0, _) => "vip-old",
            (_, 1) => "silver",
            (_, 2) => "gold",
            (_, 3) => "basic",
            _ => continue,
        };
        tx.save_customer_tier(&CustomerTier {
            customer: CustomerId(id),
            tier: key.into(),
            since: d0(),
            spend: Vec::new(),
            updated_at: d0(),
        })
        .await
        .unwrap();
        s.tiers.insert(id, key.into());
    }
    tx.commit().await.unwrap();
    // A segment of every third customer, given as ids, and a saved one resolved by its rule.
    let thirds: Vec<i64> = s
        .people
        .iter()
        .filter_map(|p| p.customer.as_ref())
        .map(|c| c.id)
        .filter(|id| id % 3 == 0)
        .collect();
    let mut tx = store.begin().await.unwrap();
    let thai = tx
        .create_segment(
            &SegmentDraft {
                name: "Thailand".into(),
                rule: "country = TH".into(),
            },
            d0(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut by_segment = AnalyticsQuery {
        segment: Some(thai.id),
        ..AnalyticsQuery::new(day(0), day(SPAN_DAYS - 1))
    };
    assert!(
        analytics::funnel(store.as_ref(), &by_segment)
            .await
            .is_err(),
        "an unresolved segment is refused"
    );
    analytics::resolve_segment(store.as_ref(), &mut by_segment, d0() + Duration::days(80))
        .await
        .unwrap();
    let mut thai_ids: Vec<i64> = s
        .people
        .iter()
        .filter_map(|p| p.customer.as_ref())
        .filter(|c| c.country.as_deref() == Some("TH"))
        .map(|c| c.id)
        .collect();
    thai_ids.sort();
    assert_eq!(by_segment.segment_customers.as_deref(), Some(&thai_ids[..]));
    let mut cases = queries();
    cases.push(("whole span, segment of Thailand", by_segment));
    cases.push((
        "middle, every third customer of chat A",
        AnalyticsQuery {
            segment_customers: Some(Arc::from(thirds)),
            chat: Some(CHAT_A),
            ..AnalyticsQuery::new(day(14), day(41))
        },
    ));
    assert!(s.orders.len() > 60, "{} orders", s.orders.len());
    // The dataset has what the edge cases need.
    let customers: Vec<_> = s
        .people
        .iter()
        .filter_map(|p| p.customer.as_ref())
        .collect();
    assert!(customers.len() > 250);
    assert!(customers
        .iter()
        .any(|c| !s.orders.iter().any(|o| o.customer == c.id)));
    assert!(s.orders.iter().any(|o| o.refunded));
    assert!(s.orders.iter().any(|o| o.currency == "EUR"));
    assert!(customers
        .iter()
        .any(|c| c.first_seen == d0() + Duration::days(20)
            || c.first_seen.time() == chrono::NaiveTime::MIN));

    for (label, q) in cases {
        let funnel = analytics::funnel(store.as_ref(), &q).await.unwrap();
        assert_eq!(funnel, ref_funnel(&s, &q), "funnel, {label}");
        let retention = analytics::retention(store.as_ref(), &q, 6).await.unwrap();
        assert_eq!(retention, ref_retention(&s, &q, 6), "retention, {label}");
        for bucket in [Bucket::Day, Bucket::Week, Bucket::Month] {
            let growth = analytics::growth(store.as_ref(), &q, bucket).await.unwrap();
            assert_eq!(
                growth,
                ref_growth(&s, &q, bucket),
                "growth by {bucket:?}, {label}"
            );
        }
        let commerce = analytics::commerce(store.as_ref(), &q).await.unwrap();
        assert_eq!(commerce, ref_commerce(&s, &q), "commerce, {label}");
        let engagement = analytics::engagement(store.as_ref(), &q).await.unwrap();
        assert_eq!(engagement, ref_engagement(&s, &q), "engagement, {label}");
        let ltv = analytics::ltv(store.as_ref(), &q).await.unwrap();
        assert_eq!(ltv, ref_ltv(&s, &q), "ltv, {label}");
        let hours = analytics::posting_hours(store.as_ref(), &q).await.unwrap();
        assert_eq!(hours, ref_hours(&s, &q), "hours, {label}");
    }
    // The segment and cost figures are not trivially empty.
    let whole = &queries()[0].1;
    let growth = analytics::growth(store.as_ref(), whole, Bucket::Week)
        .await
        .unwrap();
    let ad_usd = growth
        .costs
        .iter()
        .find(|c| c.source == "ad-fb" && c.currency == "USD")
        .unwrap();
    assert_eq!(ad_usd.cost, 150_001);
    assert!(
        ad_usd.joined > 0 && ad_usd.cost_per_join.is_some(),
        "{ad_usd:?}"
    );
    let no_link = growth.costs.iter().find(|c| c.source == "no-link").unwrap();
    assert_eq!((no_link.joined, no_link.cost_per_join), (0, None));
    assert_eq!((no_link.revenue, no_link.roi), (0, Some(0.0)));
    assert!(
        growth
            .costs
            .iter()
            .filter(|c| c.source != "no-link")
            .all(|c| c.revenue > 0 && c.roi.is_some_and(|r| r > 0.0)),
        "{:?}",
        growth.costs
    );
    let ltv = analytics::ltv(store.as_ref(), whole).await.unwrap();
    assert!(ltv
        .sources
        .iter()
        .any(|s| s.currencies.iter().any(|c| c.buyers > 0 && c.revenue > 0)));
    let tiers: Vec<&str> = ltv.tiers.iter().map(|t| t.tier.as_str()).collect();
    assert_eq!(tiers, ["basic", "silver", "gold", "vip-old"], "{ltv:?}");
    assert!(
        ltv.tiers
            .iter()
            .all(|t| t.currencies.iter().any(|c| c.buyers > 0)),
        "{ltv:?}"
    );
    let hours = analytics::posting_hours(store.as_ref(), whole)
        .await
        .unwrap();
    assert_eq!(hours.markets.len(), 3, "{hours:?}");
    // Not every figure is trivially zero.
    let whole = &queries()[0].1;
    let funnel = analytics::funnel(store.as_ref(), whole).await.unwrap();
    assert!(funnel.steps.iter().all(|s| s.count > 0), "{funnel:?}");
    let retention = analytics::retention(store.as_ref(), whole, 6)
        .await
        .unwrap();
    assert!(retention.day_7.returned > 0 && retention.day_30.eligible > 0);
    assert!(retention
        .cohorts
        .iter()
        .any(|c| c.weeks[1].active > 0 && c.weeks[1].purchasing > 0));
    let longer = &queries()[1].1;
    let commerce = analytics::commerce(store.as_ref(), longer).await.unwrap();
    assert_eq!(commerce.currencies.len(), 2);
    assert_eq!(commerce.coupons.len(), 4, "{:?}", commerce.coupons);
}

async fn an_empty_database_answers_zeros(store: SharedStore) {
    let q = AnalyticsQuery::new(day(0), day(6));
    let funnel = analytics::funnel(store.as_ref(), &q).await.unwrap();
    assert!(funnel
        .steps
        .iter()
        .all(|s| s.count == 0 && s.from_first.is_none()));
    let retention = analytics::retention(store.as_ref(), &q, 4).await.unwrap();
    assert!(retention.cohorts.is_empty());
    assert_eq!(retention.day_30.share, None);
    let growth = analytics::growth(store.as_ref(), &q, Bucket::Week)
        .await
        .unwrap();
    assert!(growth.new_customers.is_empty() && growth.members.is_empty());
    let commerce = analytics::commerce(store.as_ref(), &q).await.unwrap();
    assert!(commerce.currencies.is_empty() && commerce.coupons.is_empty());
    let engagement = analytics::engagement(store.as_ref(), &q).await.unwrap();
    assert_eq!(engagement.days.len(), 7);
    assert_eq!((engagement.mau, engagement.stickiness), (0, None));
}

async fn bad_ranges_are_refused(store: SharedStore) {
    let backwards = AnalyticsQuery::new(day(5), day(1));
    assert!(analytics::funnel(store.as_ref(), &backwards).await.is_err());
    let too_long = AnalyticsQuery::new(day(0), day(5000));
    assert!(analytics::engagement(store.as_ref(), &too_long)
        .await
        .is_err());
    let q = AnalyticsQuery::new(day(0), day(1));
    assert!(analytics::retention(store.as_ref(), &q, 500).await.is_err());
}

async fn erasure_keeps_the_counts_and_drops_the_telegram_id(store: SharedStore) {
    let at = d0() + Duration::hours(10);
    let sighting = |at| groupcart_core::membership::MemberSighting {
        bot: "shop_bot".into(),
        chat_id: CHAT_A,
        user_id: 4242,
        customer_id: None,
        first_name: "Eve".into(),
        username: None,
        at,
    };
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .upsert_customer(&CustomerSighting {
            telegram_user_id: 4242,
            first_name: "Eve".into(),
            last_name: None,
            username: None,
            telegram_language: None,
            source: Some("ad-fb".into()),
            bot: "shop_bot".into(),
            at,
        })
        .await
        .unwrap()
        .customer
        .id;
    tx.record_member_change(&MemberChange {
        bot: "shop_bot".into(),
        chat_id: CHAT_A,
        user_id: 4242,
        customer_id: Some(id),
        joined: true,
        invite_link: None,
        via_join_request: false,
        at,
    })
    .await
    .unwrap();
    tx.append_event(&NewEvent::new("conversation_started", at).customer(id))
        .await
        .unwrap();
    tx.member_spoke(&sighting(at)).await.unwrap();
    tx.commit().await.unwrap();
    let q = AnalyticsQuery {
        chat: Some(CHAT_A),
        ..AnalyticsQuery::new(day(0), day(0))
    };
    let before = analytics::funnel(store.as_ref(), &q).await.unwrap();
    assert_eq!(before.steps[0].count, 1);
    assert_eq!(before.steps[1].count, 1);
    let speaking = |m: &Members| {
        let c = &m.chats[0];
        (c.known_members, c.spoke, c.messages)
    };
    let members = analytics::members(store.as_ref(), &q).await.unwrap();
    assert_eq!(speaking(&members), (1, 1, 1));

    let mut tx = store.begin().await.unwrap();
    tx.erase_customer(id, at + Duration::hours(1), &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The person is still counted (under the pseudonym, in the chat too)...
    let after = analytics::funnel(store.as_ref(), &q).await.unwrap();
    assert_eq!(after, before);
    // Their day of speaking keeps its message, but they are no known member any more.
    let members = analytics::members(store.as_ref(), &q).await.unwrap();
    assert_eq!(speaking(&members), (0, 0, 1));
    // ...and a new person with the same Telegram id starts afresh.
    let mut tx = store.begin().await.unwrap();
    tx.record_member_change(&MemberChange {
        bot: "shop_bot".into(),
        chat_id: CHAT_A,
        user_id: 4242,
        customer_id: None,
        joined: true,
        invite_link: None,
        via_join_request: false,
        at: at + Duration::hours(2),
    })
    .await
    .unwrap();
    tx.member_joined(&sighting(at + Duration::hours(2)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = analytics::funnel(store.as_ref(), &q).await.unwrap();
    assert_eq!(again.steps[0].count, 2, "{again:?}");
    // The newcomer is a known member who has not spoken: the day spoken went with the
    // pseudonym, not with the Telegram id.
    let members = analytics::members(store.as_ref(), &q).await.unwrap();
    assert_eq!(speaking(&members), (1, 0, 1));
}

async fn event_counts_per_kind_bot_and_chat(store: SharedStore) {
    let at = |minutes: i64| d0() + Duration::minutes(minutes);
    let mut tx = store.begin().await.unwrap();
    for (kind, bot, chat, minute) in [
        ("update_received", Some("main"), Some(-100), 0),
        ("update_received", Some("main"), Some(-100), 59),
        ("update_received", Some("main"), Some(-200), 30),
        ("update_received", Some("vip"), Some(-100), 30),
        ("update_received", None, None, 30),
        ("member_joined", Some("main"), Some(-100), 10),
        // Outside the window: at its end, and before its start.
        ("update_received", Some("main"), Some(-100), 60),
        ("update_received", Some("main"), Some(-100), -1),
        // A kind not asked for.
        ("order_paid", Some("main"), None, 5),
    ] {
        let mut e = NewEvent::new(kind, at(minute));
        e.bot = bot.map(str::to_owned);
        e.chat_id = chat;
        tx.append_event(&e).await.unwrap();
    }
    tx.commit().await.unwrap();
    let counts = store
        .event_counts(&["update_received", "member_joined"], at(0), at(60))
        .await
        .unwrap();
    let got: BTreeSet<(String, Option<String>, Option<i64>, i64)> = counts
        .into_iter()
        .map(|c| (c.kind, c.bot, c.chat_id, c.count))
        .collect();
    let expected: BTreeSet<(String, Option<String>, Option<i64>, i64)> = [
        ("member_joined", Some("main"), Some(-100), 1),
        ("update_received", None, None, 1),
        ("update_received", Some("main"), Some(-200), 1),
        ("update_received", Some("main"), Some(-100), 2),
        ("update_received", Some("vip"), Some(-100), 1),
    ]
    .into_iter()
    .map(|(k, b, c, n)| (k.to_owned(), b.map(str::to_owned), c, n))
    .collect();
    assert_eq!(got, expected);
    assert!(store
        .event_counts(&[], at(0), at(60))
        .await
        .unwrap()
        .is_empty());
}

async fn source_costs_are_kept_listed_and_deleted(store: SharedStore) {
    let draft = |source: &str, amount: i64, n: i64| SourceCostDraft {
        source: source.into(),
        currency: "usd".into(),
        amount,
        spent_on: day(n),
        note: " KOL post ".into(),
    };
    let first = analytics::add_source_cost(store.as_ref(), &draft("kol-anna", 2500, 1), d0())
        .await
        .unwrap();
    assert_eq!(
        (
            first.currency.as_str(),
            first.note.as_str(),
            first.created_at
        ),
        ("USD", "KOL post", d0())
    );
    let second = analytics::add_source_cost(store.as_ref(), &draft("ad-fb", 10, 0), d0())
        .await
        .unwrap();
    let later = analytics::add_source_cost(store.as_ref(), &draft("ad-fb", 7, 9), d0())
        .await
        .unwrap();
    let listed = analytics::source_costs(store.as_ref(), &AnalyticsQuery::new(day(0), day(1)))
        .await
        .unwrap();
    assert_eq!(listed, vec![second.clone(), first.clone()]);
    // Bad drafts never reach the store.
    for bad in [draft("", 1, 0), draft("x", 0, 0), draft("x", -5, 0)] {
        assert!(analytics::add_source_cost(store.as_ref(), &bad, d0())
            .await
            .is_err());
    }
    analytics::delete_source_cost(store.as_ref(), second.id)
        .await
        .unwrap();
    assert!(matches!(
        analytics::delete_source_cost(store.as_ref(), second.id).await,
        Err(groupcart_core::Error::NotFound(_))
    ));
    assert!(matches!(
        analytics::delete_source_cost(store.as_ref(), SourceCostId(999_999)).await,
        Err(groupcart_core::Error::NotFound(_))
    ));
    let all: Vec<SourceCost> =
        analytics::source_costs(store.as_ref(), &AnalyticsQuery::new(day(0), day(30)))
            .await
            .unwrap();
    assert_eq!(all, vec![first, later]);
}

async fn posting_hours_follow_each_markets_clock(store: SharedStore) {
    // Berlin changed to summer time on 2025-03-30 01:00 UTC; Kolkata is UTC+5:30.
    let at = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    let mut people = Vec::new();
    for (tg, country) in [(1, Some("DE")), (2, Some("IN")), (3, None::<&str>)] {
        let id = tx
            .upsert_customer(&CustomerSighting {
                telegram_user_id: 50_000 + tg,
                first_name: "Ada".into(),
                last_name: None,
                username: None,
                telegram_language: None,
                source: None,
                bot: "shop_bot".into(),
                at: at(2025, 3, 1, 0, 0),
            })
            .await
            .unwrap()
            .customer
            .id;
        if let Some(country) = country {
            let change = ProfileChange {
                country: Some(country.to_owned()),
                ..ProfileChange::default()
            };
            tx.change_profile(id, &change).await.unwrap();
        }
        people.push(id);
    }
    let ev = |kind: &str, when, who| NewEvent::new(kind, when).bot("shop_bot").customer(who);
    for e in [
        // 12:xx UTC: 13:xx in Berlin's winter, 14:xx in its summer.
        ev("product_viewed", at(2025, 3, 29, 12, 10), people[0]),
        ev("cart_added", at(2025, 3, 29, 12, 50), people[0]),
        ev("product_viewed", at(2025, 3, 31, 12, 5), people[0]),
        // Passive: not activity.
        ev("message_sent", at(2025, 3, 31, 12, 5), people[0]),
        // 03:00 UTC is 08:30 in Kolkata: the whole UTC hour counts at 08.
        ev("product_viewed", at(2025, 3, 30, 3, 0), people[1]),
        ev("product_viewed", at(2025, 3, 30, 3, 45), people[1]),
        ev("product_viewed", at(2025, 3, 30, 23, 59), people[2]),
        // Outside the range.
        ev("product_viewed", at(2025, 4, 2, 12, 0), people[2]),
    ] {
        tx.append_event(&e).await.unwrap();
    }
    tx.commit().await.unwrap();
    let q = AnalyticsQuery::new(
        NaiveDate::from_ymd_opt(2025, 3, 29).unwrap(),
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
    );
    let hours = analytics::posting_hours(store.as_ref(), &q).await.unwrap();
    let summary: Vec<(&str, &str, i64, Vec<u32>)> = hours
        .markets
        .iter()
        .map(|m| (m.market.as_str(), m.zone.as_str(), m.events, m.top.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("DE", "Europe/Berlin", 3, vec![13, 14]),
            ("IN", "Asia/Kolkata", 2, vec![8]),
            ("unknown", "UTC", 1, vec![23]),
        ]
    );
    assert_eq!(hours.markets[0].hours[13], 2);
    assert_eq!(hours.markets[0].hours[14], 1);
    // The market filter narrows to one market.
    let india_only = AnalyticsQuery {
        country: Some("IN".into()),
        ..q
    };
    let hours = analytics::posting_hours(store.as_ref(), &india_only)
        .await
        .unwrap();
    assert_eq!(hours.markets.len(), 1);
}

// --- members who spoke, silent members, content interactions ---

/// What the members dataset wrote, in the order written.
#[derive(Default)]
struct MemberSeed {
    /// Telegram id → the customer's country, for customers.
    countries: BTreeMap<i64, Option<String>>,
    /// Customer id → Telegram id.
    telegram_ids: BTreeMap<i64, i64>,
    /// (chat, user, what, at) in the order written; `what` is `join`, `leave` or `speak`.
    sightings: Vec<(i64, i64, &'static str, DateTime<Utc>)>,
    events: Vec<NewEvent>,
}

/// Thirty-six people seen joining, leaving and speaking in two chats over a few weeks (some
/// only speaking, some speaking after leaving), a third of them customers in two markets;
/// button presses and messages, starts with and without a deep link, and three polls whose
/// voters rise and fall.
async fn seed_members(store: &SharedStore) -> MemberSeed {
    use groupcart_core::membership::MemberSighting;
    let mut rng = Rng(0x51ED_2701_9A3C_44F1);
    let mut s = MemberSeed::default();
    let mut tx = store.begin().await.unwrap();
    for i in 0..36_i64 {
        let tg = 50_000 + i;
        if i % 3 == 0 {
            let upserted = tx
                .upsert_customer(&CustomerSighting {
                    telegram_user_id: tg,
                    first_name: "Bo".into(),
                    last_name: None,
                    username: None,
                    telegram_language: None,
                    source: None,
                    bot: "shop_bot".into(),
                    at: d0() - Duration::days(10),
                })
                .await
                .unwrap();
            let country = (i % 2 == 0).then(|| "TH".to_owned());
            if let Some(country) = &country {
                let change = ProfileChange {
                    country: Some(country.clone()),
                    ..ProfileChange::default()
                };
                tx.change_profile(upserted.customer.id, &change)
                    .await
                    .unwrap();
            }
            s.countries.insert(tg, country);
            s.telegram_ids.insert(upserted.customer.id.0, tg);
            // Some start the bot, from a deep link or not.
            for _ in 0..rng.below(3) {
                let at = {
                    let n = rng.below(30) as i64 - 3;
                    instant(&mut rng, n)
                };
                let source = rng.chance(60).then(|| "promo-7".to_owned());
                s.events.push(
                    NewEvent::new("conversation_started", at)
                        .bot("shop_bot")
                        .customer(upserted.customer.id)
                        .source(source),
                );
            }
        }
        for chat in [CHAT_A, CHAT_B] {
            if !rng.chance(70) {
                continue;
            }
            // A person's sightings in a chat, in time order (as Telegram sends them).
            let mut at = {
                let n = rng.below(30) as i64 - 5;
                instant(&mut rng, n)
            };
            for _ in 0..rng.below(7) + 1 {
                // Some never speak.
                let choices: &[&str] = if i % 4 == 1 {
                    &["join", "join", "leave"]
                } else {
                    &["join", "leave", "speak", "speak", "speak"]
                };
                let what = *rng.pick(choices);
                s.sightings.push((chat, tg, what, at));
                at += Duration::minutes(rng.below(5 * 24 * 60) as i64);
            }
        }
    }
    for &(chat, user, what, at) in &s.sightings {
        let seen = MemberSighting {
            bot: "shop_bot".into(),
            chat_id: chat,
            user_id: user,
            customer_id: None,
            first_name: "Bo".into(),
            username: None,
            at,
        };
        if what == "speak" {
            tx.member_spoke(&seen).await.unwrap();
            continue;
        }
        let joined = what == "join";
        tx.record_member_change(&MemberChange {
            bot: "shop_bot".into(),
            chat_id: chat,
            user_id: user,
            customer_id: None,
            joined,
            invite_link: None,
            via_join_request: false,
            at,
        })
        .await
        .unwrap();
        if joined {
            tx.member_joined(&seen).await.unwrap();
        } else {
            tx.member_left(&seen).await.unwrap();
        }
    }
    // Updates received: button presses and messages in the chats and in private chats.
    for _ in 0..120 {
        let at = {
            let n = rng.below(34) as i64 - 3;
            instant(&mut rng, n)
        };
        let kind = *rng.pick(&["callback_query", "callback_query", "message", "poll"]);
        let chat = *rng.pick(&[CHAT_A, CHAT_B, 50_001, 50_004]);
        s.events.push(
            NewEvent::new("update_received", at)
                .bot("shop_bot")
                .chat(chat)
                .data(json!({ "update_id": 1, "kind": kind })),
        );
    }
    // Three polls; their states in order, voters going up and now and then down.
    for (poll, chat) in [("p1", CHAT_A), ("p2", CHAT_A), ("p3", CHAT_B)] {
        let mut at = {
            let n = rng.below(20) as i64 - 2;
            instant(&mut rng, n)
        };
        let mut voters: i64 = 0;
        for _ in 0..rng.below(9) + 1 {
            voters = (voters + rng.below(5) as i64 - 1).max(0);
            s.events.push(
                NewEvent::new(analytics::POLL_UPDATED, at)
                    .bot("shop_bot")
                    .chat(chat)
                    .data(json!({ "post_id": 1, "poll_id": poll, "voters": voters })),
            );
            at += Duration::minutes(rng.below(3 * 24 * 60) as i64);
        }
    }
    // Events go in by time, as they happen (ties keep their order).
    s.events.sort_by_key(|e| e.at);
    for e in &s.events {
        tx.append_event(e).await.unwrap();
    }
    tx.commit().await.unwrap();
    s
}

/// The members report as the module docs define it, over the seed.
fn ref_members(s: &MemberSeed, q: &AnalyticsQuery) -> Members {
    let end = q.end();
    let counted = |user: i64| {
        if !q.filters_customers() {
            return true;
        }
        s.countries
            .get(&user)
            .is_some_and(|country| q.country.is_none() || country == &q.country)
    };
    let in_days = |at: DateTime<Utc>| (q.from..=q.to).contains(&day_of(at));
    // (chat, user) → their sightings, in time order.
    type Sightings<'s> = BTreeMap<(i64, i64), Vec<(&'s str, DateTime<Utc>)>>;
    let mut people: Sightings = BTreeMap::new();
    for &(chat, user, what, at) in &s.sightings {
        people.entry((chat, user)).or_default().push((what, at));
    }
    let mut chats: BTreeMap<i64, ChatMemberCounts> = BTreeMap::new();
    for (&(chat, user), seen) in &people {
        if q.chat.is_some_and(|c| c != chat) || !counted(user) {
            continue;
        }
        let first_seen = seen.iter().map(|(_, at)| *at).min().unwrap();
        // Sightings are in time order: the last join or leave before the end.
        let last_change = seen
            .iter()
            .rev()
            .find(|(what, at)| *what != "speak" && *at < end)
            .map(|(what, _)| *what);
        let known = first_seen < end && last_change != Some("leave");
        let messages = seen
            .iter()
            .filter(|(what, at)| *what == "speak" && in_days(*at))
            .count() as i64;
        let entry = chats.entry(chat).or_insert_with(|| ChatMemberCounts {
            bot: "shop_bot".into(),
            chat_id: chat,
            known: 0,
            spoke: 0,
            messages: 0,
        });
        entry.known += i64::from(known);
        entry.spoke += i64::from(known && messages > 0);
        entry.messages += messages;
    }
    let chats: Vec<ChatMemberCounts> = chats
        .into_values()
        .filter(|c| c.known > 0 || c.messages > 0)
        .collect();

    let joined_chat = |user: i64, chat: i64| {
        s.sightings
            .iter()
            .any(|&(c, u, what, _)| c == chat && u == user && what == "join")
    };
    let in_chat = |e: &NewEvent| q.chat.is_none_or(|c| e.chat_id == Some(c));
    let mut presses: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut starts: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut votes: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut last_voters: BTreeMap<String, i64> = BTreeMap::new();
    for e in &s.events {
        match e.kind.as_str() {
            "update_received" => {
                if e.data["kind"] == "callback_query" && in_range(q, e.at) && in_chat(e) {
                    *presses.entry(day_of(e.at)).or_default() += 1;
                }
            }
            "conversation_started" => {
                let user = s.telegram_ids[&e.customer_id.unwrap().0];
                if e.source.is_some()
                    && in_range(q, e.at)
                    && counted(user)
                    && q.chat.is_none_or(|c| joined_chat(user, c))
                {
                    *starts.entry(day_of(e.at)).or_default() += 1;
                }
            }
            _ => {
                // A poll's state: its change from the state before (at any time).
                let poll = e.data["poll_id"].as_str().unwrap().to_owned();
                let voters = e.data["voters"].as_i64().unwrap();
                let before = last_voters.insert(poll, voters).unwrap_or(0);
                if in_range(q, e.at) && in_chat(e) {
                    *votes.entry(day_of(e.at)).or_default() += voters - before;
                }
            }
        }
    }
    let interactions = InteractionDays {
        button_presses: presses.into_iter().collect(),
        deep_link_starts: starts.into_iter().collect(),
        poll_votes: votes.into_iter().collect(),
    };
    Members::of_counts(q, &chats, &interactions)
}

async fn members_and_interactions_equal_a_reference(store: SharedStore) {
    let empty = AnalyticsQuery::new(day(0), day(2));
    let nothing = analytics::members(store.as_ref(), &empty).await.unwrap();
    assert!(nothing.chats.is_empty());
    assert_eq!(nothing.interactions.len(), 3);
    assert_eq!(
        (
            nothing.button_presses,
            nothing.deep_link_starts,
            nothing.poll_votes
        ),
        (0, 0, 0)
    );

    let s = seed_members(&store).await;
    let whole = AnalyticsQuery::new(day(-6), day(40));
    let middle = AnalyticsQuery::new(day(5), day(16));
    let queries = [
        ("whole span", whole.clone()),
        ("middle", middle.clone()),
        ("one day", AnalyticsQuery::new(day(9), day(9))),
        ("before anything", AnalyticsQuery::new(day(-30), day(-8))),
        (
            "middle, chat A",
            AnalyticsQuery {
                chat: Some(CHAT_A),
                ..middle.clone()
            },
        ),
        (
            "whole span, Thailand",
            AnalyticsQuery {
                country: Some("TH".into()),
                ..whole.clone()
            },
        ),
        (
            "middle, Thailand, chat B",
            AnalyticsQuery {
                country: Some("TH".into()),
                chat: Some(CHAT_B),
                ..middle.clone()
            },
        ),
    ];
    for (name, q) in &queries {
        let got = analytics::members(store.as_ref(), q).await.unwrap();
        let want = ref_members(&s, q);
        assert_eq!(got, want, "{name}");
    }
    // The dataset exercises every figure: members who spoke and silent ones in each chat,
    // someone seen only before the range, someone who left, every interaction, and a day
    // of retracted votes.
    let got = analytics::members(store.as_ref(), &whole).await.unwrap();
    assert_eq!(got.chats.len(), 2, "{got:?}");
    assert!(got.chats.iter().all(|c| c.spoke > 0), "{got:?}");
    let middle = analytics::members(store.as_ref(), &middle).await.unwrap();
    assert!(
        middle.chats.iter().all(|c| c.spoke > 0 && c.silent > 0),
        "{middle:?}"
    );
    let everyone: BTreeSet<(i64, i64)> = s.sightings.iter().map(|&(c, u, _, _)| (c, u)).collect();
    let known: i64 = got.chats.iter().map(|c| c.known_members).sum();
    assert!(known > 0 && known < everyone.len() as i64, "some left");
    assert!(got.button_presses > 0 && got.deep_link_starts > 0 && got.poll_votes > 0);
    assert!(
        got.interactions.iter().any(|d| d.poll_votes < 0),
        "a day of retracted votes"
    );
}
