//! Invoices in the Bot API's terms, for `sendInvoice` (chat) and `createInvoiceLink` (Mini
//! App).

use groupcart_core::money::Currency;
use groupcart_core::outbox::Invoice;
use groupcart_telegram::methods::InvoiceParams;
use groupcart_telegram::types::LabeledPrice;

/// The Bot API parameters of `invoice`, paid through `provider_token` (cards) or in Telegram
/// Stars, which need no provider. `Err` names what is missing.
pub fn params(invoice: &Invoice, provider_token: Option<&str>) -> Result<InvoiceParams, String> {
    // Stars need no provider: Telegram wants an empty token for them.
    let provider_token = if invoice.currency == Currency::STARS {
        String::new()
    } else {
        provider_token
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "no payment provider token is configured for {} invoices",
                    invoice.currency
                )
            })?
    };
    Ok(InvoiceParams {
        title: invoice.title.clone(),
        description: invoice.description.clone(),
        payload: invoice.payload.clone(),
        provider_token: Some(provider_token),
        currency: invoice.currency.code().to_owned(),
        prices: invoice
            .prices
            .iter()
            .map(|(label, amount)| LabeledPrice {
                label: label.clone(),
                amount: *amount,
            })
            .collect(),
        max_tip_amount: None,
        suggested_tip_amounts: None,
        provider_data: None,
        photo_url: invoice.photo_url.clone(),
        photo_size: None,
        photo_width: None,
        photo_height: None,
        need_name: Some(invoice.need_name),
        need_phone_number: Some(invoice.need_phone_number),
        need_email: None,
        need_shipping_address: Some(invoice.need_shipping_address),
        send_phone_number_to_provider: None,
        send_email_to_provider: None,
        is_flexible: invoice.is_flexible.then_some(true),
    })
}
