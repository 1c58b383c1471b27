use super::*;
use chrono::{Duration, TimeZone};

fn cur(code: &str) -> Currency {
    code.parse().unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn line(product: i64, categories: &[&str], unit_price: i64, quantity: i64) -> BasketLine {
    BasketLine {
        variant_id: VariantId(product * 10),
        product_id: ProductId(product),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        unit_price,
        quantity,
    }
}

fn basket(currency: &str, lines: Vec<BasketLine>, shipping: i64) -> Basket {
    Basket {
        currency: cur(currency),
        lines,
        shipping,
    }
}

/// 100.00 USD of one product, no shipping.
fn hundred_usd() -> Basket {
    basket("USD", vec![line(1, &[], 10_000, 1)], 0)
}

fn promotion(id: i64, trigger: Trigger, benefit: Benefit) -> Promotion {
    Promotion {
        id: PromotionId(id),
        name: format!("promotion {id}"),
        trigger,
        benefit,
        min_spend: PerCurrency::new(),
        scope: Scope::default(),
        starts_at: None,
        ends_at: None,
        combinable: false,
    }
}

fn auto(id: i64, benefit: Benefit) -> Candidate {
    Candidate {
        promotion: promotion(id, Trigger::Automatic, benefit),
        usage: Usage::UNLIMITED,
    }
}

fn coded(id: i64, code: &str, benefit: Benefit) -> Candidate {
    Candidate {
        promotion: promotion(id, Trigger::code(code), benefit),
        usage: Usage::UNLIMITED,
    }
}

fn combinable(mut candidate: Candidate) -> Candidate {
    candidate.promotion.combinable = true;
    candidate
}

fn percent(basis_points: u32) -> Benefit {
    Benefit::Percent { basis_points }
}

fn fixed(currency: &str, amount: i64) -> Benefit {
    Benefit::Fixed {
        amounts: PerCurrency::from([(cur(currency), amount)]),
    }
}

fn run(basket: &Basket, code: Option<&str>, candidates: &[Candidate]) -> Pricing {
    let pricing = price(basket, &[], now(), code, candidates);
    assert_consistent(basket, candidates, &pricing);
    pricing
}

fn rejection(basket: &Basket, code: &str, candidates: &[Candidate]) -> CodeRejection {
    match run(basket, Some(code), candidates).code {
        Some(CodeOutcome::Rejected(reason)) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn line_discounts(pricing: &Pricing) -> Vec<i64> {
    pricing.lines.iter().map(|l| l.discount).collect()
}

fn applied_ids(pricing: &Pricing) -> Vec<i64> {
    pricing.applied.iter().map(|a| a.promotion_id.0).collect()
}

/// The invariants every pricing keeps, whatever the input.
fn assert_consistent(basket: &Basket, candidates: &[Candidate], p: &Pricing) {
    assert_eq!(p.lines.len(), basket.lines.len());
    for (priced, line) in p.lines.iter().zip(&basket.lines) {
        assert_eq!(priced.total, line.total());
        assert!(
            0 <= priced.discount && priced.discount <= priced.total,
            "{p:?}"
        );
    }
    assert_eq!(p.subtotal, p.lines.iter().map(|l| l.total).sum::<i64>());
    assert_eq!(p.shipping, basket.shipping.max(0));
    assert!(0 <= p.shipping_discount && p.shipping_discount <= p.shipping);
    let line_sum: i64 = p.lines.iter().map(|l| l.discount).sum();
    assert_eq!(line_sum + p.shipping_discount, p.total_discount);
    assert!(p.total_discount <= p.subtotal + p.shipping);
    assert_eq!(p.payable, p.subtotal + p.shipping - p.total_discount);
    assert!(p.payable >= 0);
    assert_eq!(
        p.applied.iter().map(|a| a.amount).sum::<i64>(),
        p.total_discount
    );
    for (i, priced) in p.lines.iter().enumerate() {
        let by_promotions: i64 = p.applied.iter().map(|a| a.line_discounts[i]).sum();
        assert_eq!(by_promotions, priced.discount);
    }
    let mut codes = 0;
    for applied in &p.applied {
        assert_eq!(applied.line_discounts.len(), basket.lines.len());
        assert_eq!(
            applied.line_discounts.iter().sum::<i64>() + applied.shipping_discount,
            applied.amount
        );
        let candidate = candidates
            .iter()
            .find(|c| c.promotion.id == applied.promotion_id)
            .expect("applied promotions are candidates");
        let (promotion, usage) = (&candidate.promotion, &candidate.usage);
        // Caps and budget.
        assert_ne!(usage.remaining_uses, Some(0));
        assert_ne!(usage.remaining_for_customer, Some(0));
        if let Some(budget) = usage.remaining_budget {
            assert!(applied.amount <= budget, "budget {budget} exceeded: {p:?}");
        }
        // Time.
        assert!(promotion.starts_at.is_none_or(|s| s <= now()));
        assert!(promotion.ends_at.is_none_or(|e| now() < e));
        // Minimum spend on the eligible lines before discounts.
        let spent: i64 = basket
            .lines
            .iter()
            .filter(|l| l.total() > 0 && promotion.scope.covers(l))
            .map(BasketLine::total)
            .sum();
        let minimum = promotion.min_spend.get(&basket.currency);
        assert!(promotion.min_spend.is_empty() || minimum.is_some());
        assert!(spent >= minimum.copied().unwrap_or(0));
        // Only the accepted code may be listed without giving anything.
        match &promotion.trigger {
            Trigger::Code(_) => {
                codes += 1;
                assert_eq!(
                    p.code,
                    Some(CodeOutcome::Applied(promotion.id)),
                    "a code applies only when entered"
                );
            }
            Trigger::Automatic => assert!(applied.amount > 0),
        }
        if !promotion.combinable {
            assert_eq!(
                p.applied.len(),
                1,
                "a non-combinable promotion applies alone"
            );
        }
    }
    assert!(codes <= 1, "at most one code");
}

#[test]
fn without_promotions_the_basket_costs_what_it_costs() {
    let b = basket(
        "USD",
        vec![line(1, &[], 1999, 2), line(2, &[], 500, 1)],
        700,
    );
    let p = run(&b, None, &[]);
    assert_eq!(p.subtotal, 4498);
    assert_eq!(p.total_discount, 0);
    assert_eq!(p.payable, 5198);
    assert!(p.applied.is_empty());
    assert_eq!(p.code, None);
}

#[test]
fn percentages_round_down_to_the_minor_unit() {
    // 15 % of 9.99 USD is 1.4985: the customer gets 1.49.
    let p = run(
        &basket("USD", vec![line(1, &[], 999, 1)], 0),
        None,
        &[auto(1, percent(1500))],
    );
    assert_eq!(p.total_discount, 149);
    assert_eq!(cur("USD").format_amount(p.payable), "8.50");

    // Yen have no minor unit: 15 % of 999 JPY is 149 JPY.
    let p = run(
        &basket("JPY", vec![line(1, &[], 999, 1)], 0),
        None,
        &[auto(1, percent(1500))],
    );
    assert_eq!(p.total_discount, 149);
    assert_eq!(p.payable, 850);

    // Stars neither: 10 % of 15 XTR is 1 XTR, and 5 % of 19 XTR is 0 (nothing to give).
    let p = run(
        &basket("XTR", vec![line(1, &[], 15, 1)], 0),
        None,
        &[auto(1, percent(1000))],
    );
    assert_eq!((p.total_discount, p.payable), (1, 14));
    let stars = basket("XTR", vec![line(1, &[], 19, 1)], 0);
    let p = run(&stars, None, &[auto(1, percent(500))]);
    assert_eq!(p.total_discount, 0);
    assert!(p.applied.is_empty());
    assert_eq!(
        rejection(&stars, "five", &[coded(2, "FIVE", percent(500))]),
        CodeRejection::NothingEligible
    );

    // Thousandths: 15 % of 1.005 KWD is 0.15075, so 0.150.
    let p = run(
        &basket("KWD", vec![line(1, &[], 1005, 1)], 0),
        None,
        &[auto(1, percent(1500))],
    );
    assert_eq!(cur("KWD").format_amount(p.total_discount), "0.150");
}

#[test]
fn a_percentage_is_taken_over_the_eligible_lines_together() {
    // Line by line 10 % of 0.05 would be nothing three times; together it is 0.01 of 0.15,
    // which goes to the first line (equal remainders: the earlier line).
    let b = basket(
        "USD",
        vec![line(1, &[], 5, 1), line(2, &[], 5, 1), line(3, &[], 5, 1)],
        0,
    );
    let p = run(&b, None, &[auto(1, percent(1000))]);
    assert_eq!(line_discounts(&p), [1, 0, 0]);

    // Proportional: 50 % of 30.00 + 10.00 is 15.00 + 5.00.
    let b = basket("USD", vec![line(1, &[], 1000, 3), line(2, &[], 1000, 1)], 0);
    let p = run(&b, None, &[auto(1, percent(5000))]);
    assert_eq!(line_discounts(&p), [1500, 500]);
}

#[test]
fn a_fixed_amount_is_allocated_by_largest_remainder() {
    // 1.00 over 3.33 + 3.33 + 3.34: exact shares 33.3, 33.3, 33.4 → 33, 33, 34.
    let b = basket(
        "USD",
        vec![
            line(1, &[], 333, 1),
            line(2, &[], 333, 1),
            line(3, &[], 334, 1),
        ],
        0,
    );
    let p = run(&b, None, &[auto(1, fixed("USD", 100))]);
    assert_eq!(line_discounts(&p), [33, 33, 34]);
    assert_eq!(p.applied[0].line_discounts, [33, 33, 34]);
}

#[test]
fn a_fixed_amount_never_exceeds_the_eligible_lines_nor_touches_shipping() {
    let b = basket("USD", vec![line(1, &[], 1200, 1)], 500);
    let p = run(&b, None, &[auto(1, fixed("USD", 5000))]);
    assert_eq!(p.total_discount, 1200);
    assert_eq!(p.shipping_discount, 0);
    assert_eq!(p.payable, 500);
}

#[test]
fn a_fixed_amount_is_per_currency() {
    let ten_off = || {
        coded(
            1,
            "TEN",
            Benefit::Fixed {
                amounts: PerCurrency::from([(cur("USD"), 1000), (cur("JPY"), 1500)]),
            },
        )
    };
    let p = run(&hundred_usd(), Some("ten"), &[ten_off()]);
    assert_eq!(p.total_discount, 1000);
    let yen = basket("JPY", vec![line(1, &[], 12_000, 1)], 0);
    assert_eq!(run(&yen, Some("TEN"), &[ten_off()]).total_discount, 1500);
    let euro = basket("EUR", vec![line(1, &[], 10_000, 1)], 0);
    assert_eq!(
        rejection(&euro, "ten", &[ten_off()]),
        CodeRejection::CurrencyNotSupported {
            currency: cur("EUR")
        }
    );
}

#[test]
fn free_shipping_with_and_without_a_cap() {
    let b = basket("USD", vec![line(1, &[], 2000, 1)], 700);
    let p = run(&b, None, &[auto(1, Benefit::FreeShipping { max: None })]);
    assert_eq!((p.shipping_discount, p.total_discount), (700, 700));
    assert_eq!(p.payable, 2000);
    assert_eq!(p.applied[0].shipping_discount, 700);

    let capped = Benefit::FreeShipping {
        max: Some(PerCurrency::from([(cur("USD"), 500)])),
    };
    let p = run(&b, None, &[auto(1, capped.clone())]);
    assert_eq!(p.shipping_discount, 500);
    let yen = basket("JPY", vec![line(1, &[], 2000, 1)], 700);
    assert_eq!(
        rejection(&yen, "SHIP", &[coded(1, "ship", capped)]),
        CodeRejection::CurrencyNotSupported {
            currency: cur("JPY")
        }
    );

    // A digital basket has no shipping to take off.
    let digital = basket("USD", vec![line(1, &[], 2000, 1)], 0);
    assert_eq!(
        rejection(
            &digital,
            "SHIP",
            &[coded(1, "ship", Benefit::FreeShipping { max: None })]
        ),
        CodeRejection::NothingEligible
    );
}

#[test]
fn buy_two_get_one_free_discounts_the_cheapest_units() {
    let two_for_one = Benefit::BuyXGetY {
        buy: 2,
        get: 1,
        percent_off_bp: 10_000,
    };
    // 7 units: two full groups of three, so the two cheapest units are free.
    let b = basket(
        "USD",
        vec![
            line(1, &[], 1000, 2),
            line(2, &[], 300, 1),
            line(3, &[], 500, 4),
        ],
        0,
    );
    let p = run(&b, None, &[auto(1, two_for_one.clone())]);
    assert_eq!(line_discounts(&p), [0, 300, 500]);

    // Equal prices: the earlier line's units first.
    let b = basket("USD", vec![line(1, &[], 400, 2), line(2, &[], 400, 1)], 0);
    let p = run(&b, None, &[auto(1, two_for_one.clone())]);
    assert_eq!(line_discounts(&p), [400, 0]);

    // Two units are one short of a group.
    let b = basket("USD", vec![line(1, &[], 400, 2)], 0);
    assert_eq!(
        rejection(&b, "3FOR2", &[coded(1, "3for2", two_for_one)]),
        CodeRejection::MinimumQuantity { missing: 1 }
    );
}

#[test]
fn buy_one_get_one_at_half_price_rounds_down_per_line() {
    let half = Benefit::BuyXGetY {
        buy: 1,
        get: 1,
        percent_off_bp: 5000,
    };
    let b = basket("JPY", vec![line(1, &[], 999, 1), line(2, &[], 1001, 1)], 0);
    let p = run(&b, None, &[auto(1, half.clone())]);
    // Half of the cheaper 999 JPY is 499.5: 499.
    assert_eq!(line_discounts(&p), [499, 0]);

    // Three of the same line: one group, one unit at half price.
    let b = basket("USD", vec![line(1, &[], 1999, 3)], 0);
    let p = run(&b, None, &[auto(1, half)]);
    assert_eq!(p.total_discount, 999);
}

#[test]
fn scope_selects_products_and_categories() {
    let b = basket(
        "USD",
        vec![
            line(1, &["Shoes"], 1000, 1),
            line(2, &["Hats"], 1000, 1),
            line(3, &[], 1000, 1),
        ],
        0,
    );
    let mut shoes = auto(1, percent(1000));
    shoes.promotion.scope.categories = vec![" shoes ".into()];
    assert_eq!(line_discounts(&run(&b, None, &[shoes])), [100, 0, 0]);

    let mut hats_and_three = auto(1, percent(1000));
    hats_and_three.promotion.scope.categories = vec!["HATS".into()];
    hats_and_three.promotion.scope.products = vec![ProductId(3)];
    assert_eq!(
        line_discounts(&run(&b, None, &[hats_and_three])),
        [0, 100, 100]
    );

    let mut elsewhere = coded(1, "SOCKS", percent(1000));
    elsewhere.promotion.scope.categories = vec!["Socks".into()];
    assert_eq!(
        rejection(&b, "socks", &[elsewhere]),
        CodeRejection::NothingEligible
    );
}

#[test]
fn segments_limit_who_may_use_a_promotion() {
    let mut vip = coded(1, "VIP", percent(1000));
    vip.promotion.scope.segments = vec!["vip".into(), "gold".into()];
    let b = hundred_usd();
    let regular = price(&b, &["regular".into()], now(), Some("vip"), &[vip.clone()]);
    assert_eq!(
        regular.code,
        Some(CodeOutcome::Rejected(CodeRejection::NotForCustomer))
    );
    assert_eq!(regular.total_discount, 0);
    let nobody = price(&b, &[], now(), Some("vip"), &[vip.clone()]);
    assert_eq!(
        nobody.code,
        Some(CodeOutcome::Rejected(CodeRejection::NotForCustomer))
    );
    let gold = price(&b, &["Gold".into()], now(), Some("vip"), &[vip]);
    assert_eq!(gold.code, Some(CodeOutcome::Applied(PromotionId(1))));
    assert_eq!(gold.total_discount, 1000);
}

#[test]
fn minimum_spend_counts_the_eligible_lines_before_discounts() {
    let b = basket(
        "USD",
        vec![line(1, &["Shoes"], 3800, 1), line(2, &["Hats"], 5000, 1)],
        0,
    );
    let mut fifty_on_shoes = coded(3, "SHOES50", percent(1000));
    fifty_on_shoes.promotion.scope.categories = vec!["Shoes".into()];
    fifty_on_shoes.promotion.min_spend = PerCurrency::from([(cur("USD"), 5000)]);
    let reason = rejection(&b, "shoes50", &[fifty_on_shoes.clone()]);
    assert_eq!(
        reason,
        CodeRejection::MinimumSpend {
            missing: 1200,
            currency: cur("USD")
        }
    );
    // What the bot will say: "add 12.00 USD more".
    let CodeRejection::MinimumSpend { missing, currency } = reason else {
        unreachable!()
    };
    assert_eq!(
        format!("{} {currency}", currency.format_amount(missing)),
        "12.00 USD"
    );

    // Exactly the minimum is enough, and an automatic discount taken first does not undo it.
    let b = basket(
        "USD",
        vec![line(1, &["Shoes"], 5000, 1), line(2, &["Hats"], 5000, 1)],
        0,
    );
    fifty_on_shoes.promotion.combinable = true;
    let p = run(
        &b,
        Some("SHOES50"),
        &[fifty_on_shoes.clone(), combinable(auto(2, percent(2000)))],
    );
    // 20 % of 100.00 first (lower id), then 10 % of the 40.00 left of the shoes.
    assert_eq!(applied_ids(&p), [2, 3]);
    assert_eq!(line_discounts(&p), [1000 + 400, 1000]);

    // A minimum given only in other currencies means the promotion is not offered in this one.
    let yen = basket("JPY", vec![line(1, &["Shoes"], 9000, 1)], 0);
    assert_eq!(
        rejection(&yen, "SHOES50", &[fifty_on_shoes]),
        CodeRejection::CurrencyNotSupported {
            currency: cur("JPY")
        }
    );
}

#[test]
fn codes_match_case_insensitively_and_unknown_ones_are_said_so() {
    let summer = || coded(1, "Summer10", percent(1000));
    assert_eq!(summer().promotion.trigger, Trigger::Code("SUMMER10".into()));
    let p = run(&hundred_usd(), Some("  summer10 "), &[summer()]);
    assert_eq!(p.code, Some(CodeOutcome::Applied(PromotionId(1))));
    assert_eq!(p.total_discount, 1000);
    assert_eq!(
        rejection(&hundred_usd(), "winter10", &[summer()]),
        CodeRejection::Unknown
    );
    assert_eq!(rejection(&hundred_usd(), "x", &[]), CodeRejection::Unknown);
    // An automatic promotion has no code to enter.
    assert_eq!(
        rejection(&hundred_usd(), "automatic", &[auto(1, percent(1000))]),
        CodeRejection::Unknown
    );
    // A blank code is no code.
    let p = run(&hundred_usd(), Some("   "), &[summer()]);
    assert_eq!((p.code, p.total_discount), (None, 0));
    // A code promotion never applies without its code.
    assert_eq!(run(&hundred_usd(), None, &[summer()]).total_discount, 0);
}

#[test]
fn a_promotion_runs_from_its_start_until_its_end() {
    let mut timed = coded(1, "TIMED", percent(1000));
    timed.promotion.starts_at = Some(now() + Duration::hours(1));
    assert_eq!(
        rejection(&hundred_usd(), "timed", &[timed.clone()]),
        CodeRejection::NotStarted {
            starts_at: now() + Duration::hours(1)
        }
    );
    timed.promotion.starts_at = Some(now());
    assert_eq!(
        run(&hundred_usd(), Some("timed"), &[timed.clone()]).total_discount,
        1000
    );
    timed.promotion.ends_at = Some(now());
    assert_eq!(
        rejection(&hundred_usd(), "timed", &[timed.clone()]),
        CodeRejection::Expired { ended_at: now() }
    );
    timed.promotion.ends_at = Some(now() + Duration::seconds(1));
    assert_eq!(
        run(&hundred_usd(), Some("timed"), &[timed]).total_discount,
        1000
    );
}

#[test]
fn used_up_promotions_do_not_apply() {
    let with = |usage: Usage| Candidate {
        usage,
        ..coded(1, "CAP", percent(1000))
    };
    let b = hundred_usd();
    let used_up = with(Usage {
        remaining_uses: Some(0),
        ..Usage::UNLIMITED
    });
    assert_eq!(rejection(&b, "cap", &[used_up]), CodeRejection::UsedUp);
    let customer = with(Usage {
        remaining_for_customer: Some(0),
        ..Usage::UNLIMITED
    });
    assert_eq!(
        rejection(&b, "cap", &[customer]),
        CodeRejection::CustomerLimitReached
    );
    let spent = with(Usage {
        remaining_budget: Some(0),
        ..Usage::UNLIMITED
    });
    assert_eq!(
        rejection(&b, "cap", &[spent]),
        CodeRejection::BudgetExhausted
    );
    let last = with(Usage {
        remaining_uses: Some(1),
        remaining_for_customer: Some(1),
        remaining_budget: Some(1),
    });
    assert_eq!(run(&b, Some("cap"), &[last]).total_discount, 1);

    // The same limits silently keep an automatic promotion out.
    let automatic = Candidate {
        usage: Usage {
            remaining_uses: Some(0),
            ..Usage::UNLIMITED
        },
        ..auto(1, percent(1000))
    };
    assert!(run(&b, None, &[automatic]).applied.is_empty());
}

#[test]
fn the_first_failed_check_is_the_reason() {
    let mut code = coded(1, "MANY", fixed("USD", 100));
    code.promotion.ends_at = Some(now());
    code.promotion.scope.segments = vec!["vip".into()];
    code.usage.remaining_uses = Some(0);
    let euro = basket("EUR", vec![line(1, &[], 100, 1)], 0);
    assert!(matches!(
        rejection(&euro, "many", &[code.clone()]),
        CodeRejection::Expired { .. }
    ));
    code.promotion.ends_at = None;
    assert_eq!(
        rejection(&euro, "many", &[code.clone()]),
        CodeRejection::NotForCustomer
    );
    code.promotion.scope.segments.clear();
    assert!(matches!(
        rejection(&euro, "many", &[code.clone()]),
        CodeRejection::CurrencyNotSupported { .. }
    ));
    assert_eq!(
        rejection(&hundred_usd(), "many", &[code]),
        CodeRejection::UsedUp
    );
}

#[test]
fn of_promotions_sharing_a_code_the_best_is_used_or_the_closest_reason_given() {
    let mut old = coded(1, "WELCOME", percent(2000));
    old.promotion.ends_at = Some(now() - Duration::days(30));
    let mut new = coded(2, "WELCOME", percent(1000));
    new.promotion.min_spend = PerCurrency::from([(cur("USD"), 20_000)]);
    let reason = rejection(&hundred_usd(), "welcome", &[old.clone(), new.clone()]);
    assert_eq!(
        reason,
        CodeRejection::MinimumSpend {
            missing: 10_000,
            currency: cur("USD")
        }
    );
    new.promotion.min_spend.clear();
    let small = coded(3, "WELCOME", percent(500));
    let p = run(&hundred_usd(), Some("WELCOME"), &[small, old, new]);
    assert_eq!(p.code, Some(CodeOutcome::Applied(PromotionId(2))));
    assert_eq!(p.total_discount, 1000);
}

#[test]
fn the_budget_caps_the_discount() {
    let b = basket("USD", vec![line(1, &[], 6000, 1), line(2, &[], 4000, 1)], 0);
    let mut twenty = auto(1, percent(2000));
    twenty.usage.remaining_budget = Some(300);
    let p = run(&b, None, &[twenty]);
    assert_eq!(p.total_discount, 300);
    assert_eq!(line_discounts(&p), [180, 120]);

    let mut shipping = auto(1, Benefit::FreeShipping { max: None });
    shipping.usage.remaining_budget = Some(250);
    let p = run(
        &basket("USD", vec![line(1, &[], 100, 1)], 700),
        None,
        &[shipping],
    );
    assert_eq!(p.shipping_discount, 250);
}

#[test]
fn combinable_automatic_promotions_stack_in_a_fixed_order() {
    let b = basket("USD", vec![line(1, &[], 10_000, 1)], 700);
    let candidates = [
        combinable(auto(3, Benefit::FreeShipping { max: None })),
        combinable(auto(1, fixed("USD", 500))),
        combinable(auto(2, percent(1000))),
    ];
    let p = run(&b, None, &candidates);
    // 10 % of 100.00, then 5.00 off the 90.00 left, then the shipping.
    assert_eq!(applied_ids(&p), [2, 1, 3]);
    assert_eq!(
        p.applied.iter().map(|a| a.amount).collect::<Vec<_>>(),
        [1000, 500, 700]
    );
    assert_eq!(p.payable, 8500);
}

#[test]
fn percentages_compound() {
    let p = run(
        &hundred_usd(),
        None,
        &[
            combinable(auto(1, percent(1000))),
            combinable(auto(2, percent(2000))),
        ],
    );
    assert_eq!(p.total_discount, 1000 + 1800);
}

#[test]
fn nothing_goes_below_zero_when_promotions_stack() {
    let b = basket("USD", vec![line(1, &[], 1000, 1)], 300);
    let p = run(
        &b,
        None,
        &[
            combinable(auto(1, percent(9000))),
            combinable(auto(2, fixed("USD", 5000))),
            combinable(auto(3, fixed("USD", 5000))),
            combinable(auto(4, Benefit::FreeShipping { max: None })),
        ],
    );
    assert_eq!(applied_ids(&p), [1, 2, 4]);
    assert_eq!((p.total_discount, p.payable), (1300, 0));
}

#[test]
fn the_largest_alternative_wins() {
    let together = [
        combinable(auto(1, percent(1000))),
        combinable(auto(2, fixed("USD", 500))),
    ];
    // Together 15.00; alone, 20 % is 20.00.
    let mut candidates = together.to_vec();
    candidates.push(auto(3, percent(2000)));
    let p = run(&hundred_usd(), None, &candidates);
    assert_eq!((applied_ids(&p), p.total_discount), (vec![3], 2000));
    // Alone, 12 % is less than 15.00.
    candidates[2] = auto(3, percent(1200));
    let p = run(&hundred_usd(), None, &candidates);
    assert_eq!((applied_ids(&p), p.total_discount), (vec![1, 2], 1500));
    // On a tie the combinable ones win, and of non-combinable ones the lowest id.
    candidates[2] = auto(3, percent(1500));
    assert_eq!(applied_ids(&run(&hundred_usd(), None, &candidates)), [1, 2]);
    let p = run(
        &hundred_usd(),
        None,
        &[auto(5, percent(1000)), auto(4, fixed("USD", 1000))],
    );
    assert_eq!(applied_ids(&p), [4]);
}

#[test]
fn a_valid_code_always_applies() {
    let candidates = [auto(1, percent(3000)), coded(2, "TEN", percent(1000))];
    let p = run(&hundred_usd(), Some("ten"), &candidates);
    assert_eq!(p.code, Some(CodeOutcome::Applied(PromotionId(2))));
    assert_eq!((applied_ids(&p), p.total_discount), (vec![2], 1000));
    // Without the code the automatic one applies.
    assert_eq!(applied_ids(&run(&hundred_usd(), None, &candidates)), [1]);
}

#[test]
fn a_code_combines_only_if_both_sides_are_combinable() {
    let b = basket("USD", vec![line(1, &[], 10_000, 1)], 700);
    let candidates = [
        combinable(coded(1, "TEN", percent(1000))),
        combinable(auto(2, fixed("USD", 500))),
        combinable(auto(3, Benefit::FreeShipping { max: None })),
        auto(4, percent(5000)),
    ];
    let p = run(&b, Some("TEN"), &candidates);
    assert_eq!(applied_ids(&p), [1, 2, 3]);
    assert_eq!(p.total_discount, 1000 + 500 + 700);

    let mut alone = candidates.to_vec();
    alone[0].promotion.combinable = false;
    let p = run(&b, Some("TEN"), &alone);
    assert_eq!((applied_ids(&p), p.total_discount), (vec![1], 1000));
}

#[test]
fn a_rejected_code_leaves_the_automatic_promotions() {
    let mut expired = coded(1, "OLD", percent(5000));
    expired.promotion.ends_at = Some(now() - Duration::days(1));
    let p = run(
        &hundred_usd(),
        Some("old"),
        &[expired, auto(2, percent(1000))],
    );
    assert!(matches!(
        p.code,
        Some(CodeOutcome::Rejected(CodeRejection::Expired { .. }))
    ));
    assert_eq!(applied_ids(&p), [2]);
}

#[test]
fn an_accepted_code_is_listed_even_if_stacking_left_it_nothing() {
    let candidates = [
        combinable(coded(1, "FIVE", fixed("USD", 500))),
        combinable(auto(2, percent(10_000))),
    ];
    let p = run(&hundred_usd(), Some("five"), &candidates);
    assert_eq!(p.code, Some(CodeOutcome::Applied(PromotionId(1))));
    assert_eq!(applied_ids(&p), [2, 1]);
    assert_eq!(p.applied[1].amount, 0);
    assert_eq!(p.payable, 0);
}

#[test]
fn the_order_of_the_candidates_does_not_matter() {
    let b = basket(
        "USD",
        vec![line(1, &["a"], 1234, 3), line(2, &["b"], 999, 2)],
        450,
    );
    let mut candidates = vec![
        combinable(auto(1, percent(1500))),
        combinable(auto(2, fixed("USD", 333))),
        combinable(auto(
            3,
            Benefit::BuyXGetY {
                buy: 1,
                get: 1,
                percent_off_bp: 2500,
            },
        )),
        combinable(coded(4, "X", Benefit::FreeShipping { max: None })),
        auto(5, percent(3000)),
    ];
    let forward = run(&b, Some("x"), &candidates);
    candidates.reverse();
    assert_eq!(run(&b, Some("x"), &candidates), forward);
}

#[test]
fn validation_names_every_problem() {
    let good = coded(1, "summer-10_a", percent(1000)).promotion;
    assert_eq!(good.validate(), Ok(()));
    let bad = Promotion {
        name: " ".into(),
        trigger: Trigger::Code("no spaces".into()),
        benefit: Benefit::BuyXGetY {
            buy: 0,
            get: 0,
            percent_off_bp: 10_001,
        },
        min_spend: PerCurrency::from([(cur("USD"), -1)]),
        starts_at: Some(now()),
        ends_at: Some(now()),
        scope: Scope {
            categories: vec!["".into()],
            ..Scope::default()
        },
        ..good.clone()
    };
    let fields: Vec<String> = bad
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "trigger.code",
            "benefit.buy",
            "benefit.get",
            "benefit.percent_off_bp",
            "min_spend",
            "ends_at",
            "scope.categories"
        ]
    );
    for benefit in [
        percent(0),
        percent(10_001),
        Benefit::Fixed {
            amounts: PerCurrency::new(),
        },
        fixed("USD", 0),
        Benefit::FreeShipping {
            max: Some(PerCurrency::from([(cur("USD"), 0)])),
        },
    ] {
        let promotion = Promotion {
            benefit,
            ..good.clone()
        };
        assert_eq!(promotion.validate().unwrap_err().len(), 1, "{promotion:?}");
    }
    let long = Promotion {
        trigger: Trigger::code(&"A".repeat(MAX_CODE_CHARS + 1)),
        ..good
    };
    assert!(long.validate().is_err());
}

#[test]
fn promotions_and_pricings_serialize() {
    let mut promotion = coded(
        7,
        "ship",
        Benefit::FreeShipping {
            max: Some(PerCurrency::from([(cur("USD"), 500)])),
        },
    )
    .promotion;
    promotion.min_spend = PerCurrency::from([(cur("EUR"), 2500)]);
    let json = serde_json::to_value(&promotion).unwrap();
    assert_eq!(json["trigger"], serde_json::json!({ "code": "SHIP" }));
    assert_eq!(
        json["benefit"],
        serde_json::json!({ "type": "free_shipping", "max": { "USD": 500 } })
    );
    assert_eq!(json["min_spend"], serde_json::json!({ "EUR": 2500 }));
    assert_eq!(
        serde_json::from_value::<Promotion>(json).unwrap(),
        promotion
    );

    let reason = CodeRejection::MinimumSpend {
        missing: 1200,
        currency: cur("USD"),
    };
    assert_eq!(
        serde_json::to_value(&reason).unwrap(),
        serde_json::json!({ "reason": "minimum_spend", "missing": 1200, "currency": "USD" })
    );
    assert_eq!(reason.as_str(), "minimum_spend");
}

#[test]
fn allocation_is_exact_and_within_each_weight() {
    assert_eq!(allocate(0, &[5, 5]), [0, 0]);
    assert_eq!(allocate(10, &[0, 0]), [0, 0]);
    assert_eq!(allocate(2, &[1, 1, 1]), [1, 1, 0]);
    assert_eq!(allocate(7, &[0, 7, 0]), [0, 7, 0]);
    assert_eq!(allocate(100, &[1, 2, 3, 4]), [1, 2, 3, 4]);
    assert_eq!(allocate(i64::MAX, &[i64::MAX, 1]), [i64::MAX - 1, 1]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::{select, subsequence};

    fn currency() -> impl Strategy<Value = Currency> {
        select(vec!["USD", "JPY", "XTR", "KWD"]).prop_map(cur)
    }

    fn names(from: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
        subsequence(from, 0..=from.len())
            .prop_map(|names| names.into_iter().map(String::from).collect())
    }

    fn per_currency() -> impl Strategy<Value = PerCurrency> {
        prop::collection::btree_map(currency(), -100..20_000i64, 0..3)
    }

    fn basket_strategy() -> impl Strategy<Value = Basket> {
        let line = (1..6i64, names(&["a", "b"]), -10..30_000i64, -1..6i64);
        (currency(), prop::collection::vec(line, 0..6), -10..3000i64).prop_map(
            |(currency, lines, shipping)| Basket {
                currency,
                lines: lines
                    .into_iter()
                    .enumerate()
                    .map(
                        |(i, (product, categories, unit_price, quantity))| BasketLine {
                            variant_id: VariantId(i as i64),
                            product_id: ProductId(product),
                            categories,
                            unit_price,
                            quantity,
                        },
                    )
                    .collect(),
                shipping,
            },
        )
    }

    fn benefit() -> impl Strategy<Value = Benefit> {
        prop_oneof![
            (0..=12_000u32).prop_map(|basis_points| Benefit::Percent { basis_points }),
            per_currency().prop_map(|amounts| Benefit::Fixed { amounts }),
            prop::option::of(per_currency()).prop_map(|max| Benefit::FreeShipping { max }),
            (0..4u32, 0..3u32, 0..=10_000u32).prop_map(|(buy, get, percent_off_bp)| {
                Benefit::BuyXGetY {
                    buy,
                    get,
                    percent_off_bp,
                }
            }),
        ]
    }

    fn candidate() -> impl Strategy<Value = Candidate> {
        let trigger = prop_oneof![
            2 => Just(Trigger::Automatic),
            1 => select(vec!["c1", "C2"]).prop_map(|c| Trigger::Code(c.into())),
        ];
        let scope = (
            subsequence((1..6).map(ProductId).collect::<Vec<_>>(), 0..=2),
            names(&["A", "b"]),
            names(&["vip", "gold"]),
        )
            .prop_map(|(products, categories, segments)| Scope {
                products,
                categories,
                segments,
            });
        let hours = prop::option::of(-3..3i64);
        let usage = (
            prop::option::of(0..3u64),
            prop::option::of(0..3u64),
            prop::option::of(-10..3000i64),
        )
            .prop_map(
                |(remaining_uses, remaining_for_customer, remaining_budget)| Usage {
                    remaining_uses,
                    remaining_for_customer,
                    remaining_budget,
                },
            );
        (
            trigger,
            benefit(),
            prop::collection::btree_map(currency(), 0..30_000i64, 0..2),
            scope,
            hours.clone(),
            hours,
            any::<bool>(),
            usage,
        )
            .prop_map(
                |(trigger, benefit, min_spend, scope, start, end, combinable, usage)| Candidate {
                    promotion: Promotion {
                        id: PromotionId(0),
                        name: "p".into(),
                        trigger,
                        benefit,
                        min_spend,
                        scope,
                        starts_at: start.map(|h| now() + Duration::hours(h)),
                        ends_at: end.map(|h| now() + Duration::hours(h)),
                        combinable,
                    },
                    usage,
                },
            )
    }

    fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec(candidate(), 0..6).prop_map(|mut candidates| {
            for (i, c) in candidates.iter_mut().enumerate() {
                c.promotion.id = PromotionId(i as i64 + 1);
            }
            candidates
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn every_pricing_keeps_the_invariants(
            basket in basket_strategy(),
            segments in names(&["VIP", "regular"]),
            code in prop::option::of(select(vec!["c1", " C2 ", "nope", ""])),
            candidates in candidates(),
        ) {
            let p = price(&basket, &segments, now(), code, &candidates);
            assert_consistent(&basket, &candidates, &p);
            prop_assert_eq!(p.code.is_some(), code.is_some_and(|c| !c.trim().is_empty()));

            // Deterministic, and the candidates' order does not matter.
            prop_assert_eq!(&price(&basket, &segments, now(), code, &candidates), &p);
            let mut reversed = candidates.clone();
            reversed.reverse();
            prop_assert_eq!(&price(&basket, &segments, now(), code, &reversed), &p);

            // A promotion with no use left never applies, even alone.
            for c in &candidates {
                let mut used_up = c.clone();
                used_up.usage.remaining_uses = Some(0);
                let alone = price(&basket, &segments, now(), code, &[used_up]);
                prop_assert!(alone.applied.is_empty());
            }
        }

        #[test]
        fn allocation_adds_up_within_the_weights(
            weights in prop::collection::vec(0..1_000_000i64, 0..8),
            fraction in 0.0..=1.0f64,
        ) {
            let sum: i64 = weights.iter().sum();
            // The float only picks a test total; the allocation itself is integer.
            let total = (sum as f64 * fraction) as i64;
            let shares = allocate(total, &weights);
            prop_assert_eq!(shares.iter().sum::<i64>(), total.min(sum));
            for (share, weight) in shares.iter().zip(&weights) {
                prop_assert!(0 <= *share && share <= weight);
            }
        }
    }
}
