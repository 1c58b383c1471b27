//! Coupons in chat: `/coupon CODE` puts a code on the cart (and says at once whether and how
//! much it takes off), `/coupon off` takes it off, `/coupons` lists what the customer can use,
//! and a `c-CODE` deep link ("tap to get 10 % off") puts the code on the cart and opens the
//! shop. The cart shows its discounts; checkout applies them (see [`crate::checkout`]).

use crate::checkout::bot_currency;
use crate::conversation::{event, Turn};
use crate::coupon::{PromotionQuery, PromotionStatus, StoredPromotion};
use crate::discounts::{put_code_on_cart, rejection_text, CodeOnCart};
use crate::money::Currency;
use crate::promotion::{normalize_code, Benefit, CodeRejection, Trigger, MAX_CODE_CHARS};
use crate::shop_chat::price_text;
use crate::Result;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Commands this module answers.
pub(crate) fn is_coupon_command(name: &str) -> bool {
    matches!(name, "coupon" | "coupons")
}

/// The code of a `c-<CODE>` start payload.
pub(crate) fn start_code(payload: &str) -> Option<String> {
    let code = normalize_code(payload.trim().strip_prefix("c-")?);
    let valid = !code.is_empty()
        && code.chars().count() <= MAX_CODE_CHARS
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some(code)
}

pub(crate) async fn command(turn: &mut Turn<'_, '_>, name: &str, args: &str) -> Result<()> {
    match (name, args.trim()) {
        ("coupons", _) => list(turn).await,
        ("coupon", "") => match turn.tx.cart_code(turn.customer.id).await? {
            Some(code) => turn.say("coupon-current", &[("code", &code)]).await,
            None => turn.say("coupon-usage", &[]).await,
        },
        ("coupon", "off" | "-" | "remove") => {
            let at = turn.incoming.at;
            turn.tx.set_cart_code(turn.customer.id, None, at).await?;
            turn.say("coupon-removed", &[]).await
        }
        (_, code) => apply(turn, code).await,
    }
}

/// Puts `code` on the cart if it can be used, and says what it does for the cart now.
pub(crate) async fn apply(turn: &mut Turn<'_, '_>, code: &str) -> Result<()> {
    let outcome = put_code_on_cart(
        turn.tx,
        turn.ctx.store,
        turn.ctx.bot,
        &turn.customer,
        code,
        turn.incoming.at,
    )
    .await?;
    let (code, reason) = match &outcome {
        CodeOnCart::Applied { code, .. } | CodeOnCart::Saved { code } => (code, None),
        CodeOnCart::Rejected { code, reason } => (code, Some(reason)),
    };
    let e = event(turn.ctx, turn.incoming, &turn.customer, "coupon_entered").data(json!({
        "code": code,
        "accepted": reason.is_none(),
        "reason": reason.map(CodeRejection::as_str),
    }));
    turn.tx.append_event(&e).await?;
    match outcome {
        CodeOnCart::Saved { code } => turn.say("coupon-saved", &[("code", &code)]).await,
        CodeOnCart::Rejected { code, reason } => {
            let text = rejection_text(turn.ctx.texts, turn.speaking(), &code, &reason);
            send(turn, text).await
        }
        CodeOnCart::Applied { code, saving } => {
            let currency = bot_currency(turn.ctx.bot)?;
            let saving = price_text(currency, saving);
            turn.say("coupon-applied", &[("code", &code), ("saving", &saving)])
                .await
        }
    }
}

/// `/coupons`: the codes given to this customer, the public codes, and the promotions that
/// apply by themselves.
async fn list(turn: &mut Turn<'_, '_>) -> Result<()> {
    let now = turn.incoming.at;
    let currency = bot_currency(turn.ctx.bot)?;
    let mut lines = Vec::new();
    for code in turn.ctx.store.customer_codes(turn.customer.id).await? {
        if let Some(p) = turn.ctx.store.promotion(code.promotion_id).await? {
            if running(&p, now) {
                lines.push(coupon_line(turn, &code.code, &p, currency));
            }
        }
    }
    let promotions = turn
        .ctx
        .store
        .promotions(&PromotionQuery {
            status: Some(PromotionStatus::Active),
            after: None,
            limit: 100,
        })
        .await?;
    for p in promotions.iter().filter(|p| p.listed && running(p, now)) {
        if let Trigger::Code(code) = &p.promotion.trigger {
            lines.push(coupon_line(turn, code, p, currency));
        }
    }
    // Those that apply by themselves (not the ones sold as single-use codes).
    for p in turn.ctx.store.automatic_promotions().await? {
        if running(&p, now) {
            let benefit = benefit_text(turn, &p.promotion.benefit, currency);
            lines.push(turn.text(
                "coupons-automatic",
                &[("name", &p.promotion.name), ("benefit", &benefit)],
            ));
        }
    }
    if lines.is_empty() {
        return turn.say("coupons-none", &[]).await;
    }
    let mut text = turn.text("coupons-title", &[]);
    for line in lines {
        text.push('\n');
        text.push_str(&line);
    }
    text.push_str("\n\n");
    text.push_str(&turn.text("coupon-usage", &[]));
    send(turn, text).await
}

fn running(p: &StoredPromotion, now: DateTime<Utc>) -> bool {
    p.status == PromotionStatus::Active
        && p.promotion.starts_at.is_none_or(|s| s <= now)
        && p.promotion.ends_at.is_none_or(|e| now < e)
        && p.limits.max_uses.is_none_or(|max| p.uses < max)
}

fn coupon_line(turn: &Turn<'_, '_>, code: &str, p: &StoredPromotion, currency: Currency) -> String {
    let benefit = benefit_text(turn, &p.promotion.benefit, currency);
    let mut line = turn.text(
        "coupons-line",
        &[
            ("code", code),
            ("name", &p.promotion.name),
            ("benefit", &benefit),
        ],
    );
    if let Some(min) = p.promotion.min_spend.get(&currency).filter(|m| **m > 0) {
        line.push_str(&turn.text(
            "coupons-min-spend",
            &[("amount", &price_text(currency, *min))],
        ));
    }
    if let Some(end) = p.promotion.ends_at {
        let date = end.format("%Y-%m-%d").to_string();
        line.push_str(&turn.text("coupons-until", &[("date", &date)]));
    }
    line
}

/// "10 % off", "5.00 USD off", "free shipping", "buy 2, get 1 free", in the customer's
/// language.
pub(crate) fn benefit_text(turn: &Turn<'_, '_>, benefit: &Benefit, currency: Currency) -> String {
    let percent = |bp: u32| {
        if bp.is_multiple_of(100) {
            (bp / 100).to_string()
        } else {
            format!("{}.{:02}", bp / 100, bp % 100)
                .trim_end_matches('0')
                .to_owned()
        }
    };
    match benefit {
        Benefit::Percent { basis_points } => {
            turn.text("benefit-percent", &[("percent", &percent(*basis_points))])
        }
        // In the bot's currency if the seller set it, else in the first one they did.
        Benefit::Fixed { amounts } => {
            let shown = amounts
                .get_key_value(&currency)
                .or_else(|| amounts.iter().next());
            let amount = shown.map_or_else(String::new, |(c, a)| price_text(*c, *a));
            turn.text("benefit-fixed", &[("amount", &amount)])
        }
        Benefit::FreeShipping { .. } => turn.text("benefit-free-shipping", &[]),
        Benefit::BuyXGetY {
            buy,
            get,
            percent_off_bp,
        } if *percent_off_bp >= crate::promotion::FULL_BASIS_POINTS => turn.text(
            "benefit-buy-get-free",
            &[("buy", &buy.to_string()), ("get", &get.to_string())],
        ),
        Benefit::BuyXGetY {
            buy,
            get,
            percent_off_bp,
        } => turn.text(
            "benefit-buy-get-off",
            &[
                ("buy", &buy.to_string()),
                ("get", &get.to_string()),
                ("percent", &percent(*percent_off_bp)),
            ],
        ),
    }
}

async fn send(turn: &mut Turn<'_, '_>, text: String) -> Result<()> {
    turn.send(crate::outbox::Action::SendText {
        text,
        buttons: Vec::new(),
    })
    .await
}
