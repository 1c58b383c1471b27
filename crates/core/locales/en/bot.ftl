# Customer-facing text of the groupcart bot, English.
# Every message here must also exist in every other locale (a test checks it).

language-name = English

choose-language = Which language do you prefer?
language-set = Got it, I will speak English with you.

privacy-notice =
    Hi { $name }, welcome!

    Before we start, a word on your data. To serve you we keep your Telegram name, username and language, what you order and the messages you send this bot. We never sell your data. You can see, export or delete it at any time with /privacy.

    Please choose what we may send you:
    • Service messages: order, payment and shipping updates and answers to your questions.
    • News and offers: coupons, new arrivals and sales. You can switch this off at any time.

    (Privacy policy version { $version })
consent-accept-all = ✅ Service messages and offers
consent-accept-service = ✅ Service messages only
consent-decline = ✖ Nothing for now
consent-saved-all = Thank you! You will get service messages and our news and offers. Change this any time with /privacy.
consent-saved-service = Thank you! You will get service messages only, no offers. Change this any time with /privacy.
consent-saved-none = Understood: we will not send you messages on our own. You can still talk to us here, and change this any time with /privacy.

welcome-back = Welcome back, { $name }! Send /help to see what I can do.
help =
    Here is what I can do:
    /start: start over
    /language: change the language
    /privacy: your data and your choices
    /help: this list
not-understood = Sorry, I did not understand that. Send /help to see what I can do.
unknown-command = I do not know that command. Send /help to see what I can do.
button-expired = This button is no longer valid.
something-went-wrong = Sorry, something went wrong on our side. Please try again in a moment.

cmd-start = Start over
cmd-help = What this bot can do
cmd-language = Change the language
cmd-privacy = Your data and your choices

## Shop

cmd-shop = Browse the shop
cmd-cart = Your cart
cmd-orders = Your orders
shop-empty = The shop has nothing on sale right now. Please come back soon!
shop-choose-category = What are you looking for?
shop-category-products = { $category }: page { $page } of { $pages }
shop-all-products = All products: page { $page } of { $pages }
shop-previous = « Previous
shop-next = Next »
shop-back = ↩ Categories
shop-view-cart = 🛒 Cart ({ $count })
shop-product-price = Price: { $price }
shop-product-was = (was { $price })
shop-in-stock = In stock
shop-few-left = Only { $count } left
shop-sold-out = Sold out
shop-variant-sold-out = { $variant } (sold out)
shop-not-available = This product is not available any more.
shop-added = Added to your cart: { $item }
shop-no-more-stock = Sorry, there are no more of { $item } in stock.
cart-empty = Your cart is empty. Send /shop to browse.
cart-title = Your cart:
cart-line = { $quantity } × { $item }: { $total }
cart-total = Total: { $total }
cart-checkout = ✅ Check out
cart-remove = ✕
checkout-problems = Some items changed since you added them, so we did not create your order:
checkout-unavailable = • { $item } is no longer available
checkout-short = • { $item }: only { $available } left (you have { $quantity })
checkout-fix = Please update your cart and check out again.
checkout-created = Order #{ $order } is reserved for you for { $minutes } minutes. Pay with the invoice below.
invoice-title = Order #{ $order }
invoice-description = { $count } items from our shop
invoice-total = Total
invoice-shipping = Shipping
precheckout-expired = This order has expired. Please order again.
precheckout-mismatch = This invoice no longer matches your order. Please order again.
order-paid = Thank you! We received your payment of { $total } for order #{ $order }. We will let you know when it ships.
order-paid-late = We received your payment for order #{ $order }, but the order had already expired. Our team will refund you or contact you shortly.
order-shipped = Good news: order #{ $order } is on its way with { $carrier }. Tracking number: { $tracking }
order-delivered = Order #{ $order } has been delivered. Enjoy, and thank you for shopping with us!
order-cancelled = Order #{ $order } was cancelled.
order-expired = Order #{ $order } expired because it was not paid in time. The items are back in stock: send /shop to order again.
order-refunded = Order #{ $order } has been refunded.
orders-none = You have no orders yet. Send /shop to browse.
orders-title = Your recent orders:
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = waiting for payment
order-status-paid = paid
order-status-shipped = shipped
order-status-delivered = delivered
order-status-completed = completed
order-status-cancelled = cancelled
order-status-refunded = refunded
order-details = Order #{ $order }: { $status }
order-timeline-line = { $date }: { $status }
order-tracking = Shipped with { $carrier }, tracking number { $tracking }

## Staff chat (in the bot's default language)

staff-new-order = 🛒 New paid order #{ $order }: { $total } from { $customer }
staff-ship-to = Ship to: { $address }
staff-button-ship = 🚚 Ship
staff-button-cancel = ✖ Cancel
staff-ship-hint = Send /ship { $order } CARRIER TRACKING
staff-shipped = Order #{ $order } is marked shipped; the customer has the tracking number.
staff-delivered = Order #{ $order } is marked delivered.
staff-cancelled = Order #{ $order } is cancelled and its stock is back. Refund any payment.
staff-no-order = There is no order #{ $order }.
staff-refused = Order #{ $order } was not changed: { $reason }
staff-usage = Use /ship ORDER CARRIER TRACKING, /delivered ORDER, /cancel ORDER or /paid ORDER.
staff-stuck-parcel = ⚠️ Order #{ $order } was shipped with { $carrier } ({ $tracking }) but has had no news for { $days } days. Please check the parcel.
shop-pay-manually = 🏦 Bank transfer or cash on delivery
checkout-manual-offer = Prefer to pay another way?
order-manual-chosen = Order #{ $order } ({ $total }) is kept for you for { $days } days. We will confirm as soon as your payment arrives.
staff-manual-order = 🏦 Order #{ $order }: { $total } from { $customer } will be paid by hand. Confirm when the money arrives.
staff-button-confirm = ✅ Payment received
staff-payment-confirmed = Payment for order #{ $order } is confirmed; the customer has been told.
