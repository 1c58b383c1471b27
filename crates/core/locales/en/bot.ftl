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
    /shop: browse the shop
    /cart: your cart
    /orders: your orders
    /coupons: your coupons
    /invite: invite friends and earn rewards
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
shop-also-like = You may also like:
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
checkout-price-changed = • { $item }: the price is now { $now } (it was { $was }). Check out again to accept it.
checkout-fix = Please update your cart and check out again.
checkout-created = Order #{ $order } is reserved for you for { $minutes } minutes. Pay with the invoice below.
invoice-title = Order #{ $order }
invoice-description = { $count } items from our shop
invoice-total = Total
invoice-shipping = Shipping
precheckout-expired = This order has expired. Please order again.
precheckout-mismatch = This invoice no longer matches your order. Please order again.
precheckout-shipping-changed = This shipping option is no longer available. Please choose another one.
shipping-not-available = Sorry, we do not ship to { $country } yet.
order-paid = Thank you! We received your payment of { $total } for order #{ $order }. We will let you know when it ships.
order-paid-late = We received your payment for order #{ $order }, but the order had already expired. Our team will refund you or contact you shortly.
order-shipped = Good news: order #{ $order } is on its way with { $carrier }. Tracking number: { $tracking }
order-delivered = Order #{ $order } has been delivered. Enjoy, and thank you for shopping with us!
order-cancelled = Order #{ $order } was cancelled.
order-expired = Order #{ $order } expired because it was not paid in time. The items are back in stock: send /shop to order again.
order-refunded = Order #{ $order } has been refunded.
orders-none = You have no orders yet. Send /shop to browse.
order-lookup-unknown = I could not find order #{ $order } among your orders. Send /orders to see them.
order-words = order, parcel, package, tracking, shipment, delivery, shipped
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

## Coupons

cmd-coupons = Your coupons
coupon-usage = To use a code, send /coupon followed by the code, for example: /coupon WELCOME10
coupon-current = Your cart has the code { $code }. Send /coupon off to take it off.
coupon-removed = The code is off your cart.
coupon-saved = Code { $code } is saved: it will come off your order when you check out.
coupon-applied = Code { $code } is on your cart: { $saving } off.
coupon-unknown = Sorry, code { $code } does not exist. Please check it and try again.
coupon-not-started = Code { $code } can be used from { $date }.
coupon-expired = Sorry, code { $code } has expired.
coupon-not-for-you = Sorry, code { $code } is not available for your account.
coupon-currency = Code { $code } cannot be used in this shop's currency.
coupon-used-up = Sorry, code { $code } has been used up.
coupon-customer-limit = You have already used code { $code } as often as it allows.
coupon-nothing-eligible = Code { $code } does not apply to anything in your cart.
coupon-minimum-spend = Add { $missing } more of eligible items to use code { $code }.
coupon-minimum-quantity = Add { $missing } more eligible items to use code { $code }.
checkout-promotion-ended = • A promotion ({ $code }) ran out just now. Please check the new total and check out again.
invoice-discount = Discount
cart-discount = 🏷 { $name }: { $amount }
coupons-title = Your coupons:
coupons-none = You have no coupons right now. Keep an eye on our channel for new ones!
coupons-line = 🎟 { $code }: { $name }, { $benefit }
coupons-automatic = 🏷 { $name }: { $benefit } (applied automatically)
coupons-min-spend = , from { $amount }
coupons-until = , until { $date }
benefit-percent = { $percent } % off
benefit-fixed = { $amount } off
benefit-free-shipping = free shipping
benefit-buy-get-free = buy { $buy }, get { $get } free
benefit-buy-get-off = buy { $buy }, get { $get } at { $percent } % off

## Community

join-check-button = Hi { $name }! To join { $chat }, please tap the button below within 4 minutes.
join-check-button-label = ✅ I am not a robot
join-check-question = Hi { $name }! To join { $chat }, please answer this question within 4 minutes:
join-check-done = Thank you, your answer for { $chat } is in.
join-check-closed = This join request is no longer open.
join-approved = Welcome to { $chat }! 🎉
join-coupon = Here is your welcome gift: { $benefit } with code { $code }. It is already on your cart: send /shop to use it.
join-declined = Sorry, that was not the right answer, so we could not add you to { $chat }. You can ask to join again.
join-timed-out = Time is up for joining { $chat }. You can ask to join again any time.
join-review = Hi { $name }! Your request to join { $chat } will be reviewed by our team. Please wait for their decision.
join-declined-staff = Sorry, your request to join { $chat } was not approved.
join-review-staff = 🙋 { $person } asks to join { $chat }.
join-review-staff-member = 🙋 { $person } joined { $chat } and cannot post until you decide.
join-review-approve = ✅ Approve
join-review-decline = ❌ Decline
join-review-approved = ✅ { $person } in { $chat }: approved by { $staff }.
join-review-declined = ❌ { $person } in { $chat }: declined by { $staff }.
join-review-decided = This was already decided.
group-check-button = Welcome, { $name }! Please tap the button below within { $minutes } minutes to be able to post here.
group-check-question = Welcome, { $name }! Please answer within { $minutes } minutes to be able to post here:
group-check-not-yours = This check is for someone else.
group-check-closed = This check is closed.

## Flash sales
flash-sale-title = ⚡ Flash sale: { $product }
flash-sale-price = Sale price: { $price }
flash-sale-price-was = Sale price: { $price } instead of { $was }
flash-sale-limit = Limit: { $count } per customer
flash-sale-line-upcoming = ⏰ Starts { $start } · { $units } units only
flash-sale-line-running = 🔥 On now: { $left } of { $units } left · ends { $end }
flash-sale-line-sold-out = 🚫 Sold out
flash-sale-line-ended = ⌛ This flash sale has ended.
flash-sale-line-cancelled = This flash sale was called off.
flash-sale-remind-button = 🔔 Remind me
flash-sale-early-access = ⭐ Early access: your membership tier lets you buy now, before the sale opens to everyone.
flash-sale-open-button = 🛒 Buy in the bot
flash-sale-buy-button = 🛒 Buy now · { $price }
flash-sale-started = ⚡ The flash sale you asked about has started!
flash-sale-reminder-set = 🔔 Done! We will message you when the sale starts.
flash-sale-reminder-already = You are on the list already: we will message you when the sale starts.
flash-sale-start-bot = Start the bot first so it can message you, then tap “Remind me” again.
flash-sale-on-now = The sale is on now: tap “Buy now” in the bot.
flash-sale-unknown = Sorry, this flash sale does not exist.
flash-sale-cancelled = Sorry, this flash sale was called off.
flash-sale-not-started = ⏰ Not yet! The sale starts { $start }.
flash-sale-ended = ⌛ Sorry, this flash sale has ended.
flash-sale-sold-out = 😔 Sold out! Every unit is taken. Units of unpaid orders come back after { $minutes } minutes: try again later.
flash-sale-limit-reached = You already have { $count } from this sale, the most one customer may buy.
flash-sale-got-it = 🎉 You got one! Pay the invoice within { $minutes } minutes to keep it.

## Giveaways

giveaway-announcement =
    🎁 Giveaway: { $prize }
    { $winners } winner(s), drawn at { $ends }. Tap the button to join!
    Fair draw: the SHA-256 of our secret seed is { $commitment }; the seed is published with the result.
giveaway-join = 🎁 Join
giveaway-entered = You are in! Your entry number is #{ $number }. Start a chat with me so I can tell you if you win.
giveaway-already-in = You are already in, with number #{ $number }.
giveaway-closed = This giveaway is over.
giveaway-won = 🎉 You won the giveaway: { $prize }!
giveaway-prize-code = Your prize code is { $code }; it is already on your cart.
giveaway-no-entries = nobody joined
giveaway-result =
    🎁 Giveaway results: { $prize }
    Winners: { $winners }
    Entries: { $entries }
    Seed: { $seed } (its SHA-256 is { $commitment }, as announced). Entry number n gets SHA-256("seed:n"); the lowest win.
giveaway-requires = To win, be a member of { $chats } at the draw.
giveaway-skipped = Passed over (not a member of the required chats at the draw): { $entries }

## Referrals
cmd-invite = Invite friends
invite =
    🎁 Invite friends and earn rewards!
    Your personal link: { $link }

    Starts: { $starts } · New customers: { $joins } · First orders: { $orders } · Rewards: { $rewards }

    You get a reward when a friend who is new here pays their first order.
invite-share = 📤 Share
invite-share-text = Come and shop with me here!
referral-self = That is your own invite link: share it with friends to earn rewards.
referral-welcome = 🎁 Welcome! A friend invited you. Your welcome code { $code } is on your cart.
referral-rewarded = 🎉 A friend you invited just paid their first order. Your reward code: { $code }

## Group-buys
group-buy-offer =
    👥 Group-buy: { $product }
    Team up with { $size } people and each pays { $price } instead of { $was }.
    A team has { $hours } h to fill; if it does not, everyone is refunded.
group-buy-open-button = 👥 Start a team · { $price }
group-buy-team = 👥 Group-buy: { $product } at { $price } instead of { $was }
group-buy-progress = { $members }/{ $size } joined · { $paid } paid · { $hours } h left
group-buy-line-full = ✅ The team is complete: all { $size } orders go ahead.
group-buy-line-failed = ⌛ This team closed: not enough people joined in time.
group-buy-join-button = 👥 Join the team
group-buy-join-price-button = 👥 Join · { $price }
group-buy-share-button = 📤 Invite friends
group-buy-share-text = Join my group-buy team and we all get the group price!
group-buy-unknown = Sorry, this group-buy does not exist.
group-buy-offer-ended = Sorry, this group-buy offer has ended.
group-buy-no-stock = 😔 Not enough stock left for a new team. Join an open team or try again later.
group-buy-team-closed = Sorry, this team is closed.
group-buy-no-place = Sorry, every place in this team is taken. Start a team of your own!
group-buy-already-member = You are in this team already.
group-buy-placed = 👥 Your place is held: pay the invoice within { $minutes } minutes to keep it.
group-buy-complete = 🎉 Your group-buy team is complete! Order { $order } goes ahead at the group price.
group-buy-failed = ⌛ Your group-buy team did not fill in time. Order { $order } is closed and any payment is refunded.
group-buy-offer-reserve =
    👥 Group-buy: { $product }
    Team up with { $size } people and each pays { $price } instead of { $was }.
    Reserve your place now and pay when the team is complete; a team has { $hours } h to fill.
group-buy-reserved = 👥 Your place is reserved. We will send the invoice when the team is complete.
group-buy-complete-pay = 🎉 Your group-buy team is complete! Pay { $price } for order { $order } within { $minutes } minutes to keep your place.
group-buy-full-price = ⌛ Your group-buy team did not fill in time. You can still have order { $order } at the regular price, { $price }: pay within { $minutes } minutes, or let it lapse.

## Moderation
moderation-rule-words = a word that is not allowed here
moderation-rule-links = links to other sites are not allowed here
moderation-rule-flood = too many messages
moderation-warned = ⚠️ { $name }, warning { $count } of { $limit }: { $reason }.
moderation-muted = 🔇 { $name } is muted for { $hours } h: { $reason }.
moderation-banned = ⛔ { $name } was removed from the group: { $reason }.
moderation-rule-forwards = forwards from other channels are not allowed here
moderation-rule-media = this kind of media is not allowed here
moderation-rule-bot_mentions = mentions of other bots are not allowed here
moderation-rule-staff = by a moderator
moderation-muted-minutes = 🔇 { $name } is muted for { $minutes } min: { $reason }.
moderation-unmuted = 🔊 { $name } may write again.
moderation-unbanned = ✅ { $name } may join the group again.
moderation-command-usage = Reply to a message with /warn, /mute 30m (or 1h, 1d) or /ban, adding a reason if you like; /unmute and /unban also take a user id.
appeal-usage = Write your appeal after the command, for example: /appeal I only shared my own order's tracking link.
appeal-nothing = You are not muted or banned in any of our groups.
appeal-unavailable = Appeals cannot be sent here; please write to the group's administrators.
appeal-sent = Your appeal about { $chat } was sent to the team. You will get the answer here.
appeal-staff = 📨 Appeal from { $name } (id { $user }) in { $chat } ({ $reason }): { $text }
appeal-button-lift = ✅ Lift
appeal-button-keep = ❌ Keep
appeal-reason = appeal accepted
appeal-decided = This appeal was already decided.
appeal-lifted-staff = ✅ Appeal of { $name } (id { $user }) in { $chat }: lifted by { $staff }.
appeal-kept-staff = ❌ Appeal of { $name } (id { $user }) in { $chat }: kept by { $staff }.
appeal-lifted = Your appeal about { $chat } was accepted: the restriction is lifted.
appeal-kept = Your appeal about { $chat } was reviewed: the restriction stays.
raid-alert = 🚨 Join raid in “{ $chat }”: { $joins } joins within { $seconds } s. People asking to join get a stricter check for the next { $minutes } min.
staff-chat-rights = ⚠️ The bot needs more rights in “{ $chat }”: { $rights }. Open the chat's admin settings to fix it.
right-admin = make it an administrator
right-invite = let it invite users (invite links and join requests)
right-delete = let it delete messages (moderation)
right-restrict = let it ban users (mute and ban)

## Settings
cmd-settings = Your settings
settings-marketing-on = News and offers: on. You can stop them here any time.
settings-marketing-off = News and offers: off. Order and shipping updates still reach you.
settings-stop-marketing = Stop news and offers
settings-allow-marketing = Send me news and offers
marketing-stopped = Done: no more news and offers. Order and shipping updates still reach you.
marketing-allowed = Done: you will get our news and offers. Stop them any time with /settings.

## Privacy: what is stored, export and erasure
privacy-overview =
    Your data with us:
    • your Telegram name, username and language, to talk to you;
    • your orders, addresses and payments, to deliver and for accounting;
    • the messages you send this bot, to answer you;
    • your choices below, as proof of what you agreed to.
    We never sell your data.

    Policy version you accepted: { $version }
    News and offers: { $marketing }
privacy-none = none yet
privacy-on = on
privacy-off = off
privacy-button-choices = Change my choices
privacy-button-export = 📦 Export my data
privacy-button-erase = 🗑 Delete my data
privacy-erase-confirm =
    Delete all your data? Your profile, addresses, messages and choices will be erased and we will not message you again. Orders stay in our books without your name, as accounting law requires. This cannot be undone.
privacy-erase-yes = Yes, delete everything
privacy-erase-no = No, keep it
privacy-erased = Your data has been deleted. This is the last message you get from us. Goodbye!
privacy-kept = Nothing was deleted.
privacy-export-preparing = Preparing your data. The file will arrive here in a few minutes.
privacy-export-caption = Your data: { $orders } orders, { $messages } messages, { $events } activity records, { $consents } consent records, { $referrals } referrals, { $tags } tags. The attached file holds all of it in JSON.

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = Talk to a person
faq-button-helpful = 👍 Helpful
faq-button-not-helpful = 👎 Not helpful
faq-thanks = Thanks for telling us!
support-button-agent = 🙋 Talk to a person
support-did-you-mean = I am not sure I understood. Did you mean one of these?
support-offer-agent = Sorry that did not help. Would you like to talk to a person?
support-no-agents = Sorry, nobody from our team can take questions here right now. Please try /help.
support-media-needs-ticket = To send us a photo or a file, tap /agent first and then send it.
support-ticket-opened = I have passed your question to our team (ticket #{ $ticket }). A person will answer you right here. Anything else you send now goes to them too.
support-ticket-continues = Our team already has your conversation #{ $ticket }; what you send goes to them.
support-outside-hours = Our team is away right now and back on { $time } ({ $zone }). We will answer then.
support-resolved = Your question #{ $ticket } is marked as solved. How happy are you with our help?
support-nps-question = How likely are you to recommend us to a friend? (0 = not at all, 10 = very likely)
support-rating-thanks = Thank you for your feedback!

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 Ticket #{ $ticket } · { $topic } · priority { $priority }
    Customer: { $name } ({ $username }), language { $language }
support-no-orders = No orders yet.
support-agent-help = Reply here to answer the customer. Messages starting with // (or /note) are internal notes. Commands: /resolve, /close, /assign, /priority low|normal|high, /transfer GROUP, /canned NAME, /tr TEXT (sent translated).
support-ticket-not-active = Ticket #{ $ticket } is no longer open: nothing was sent to the customer.
support-resolved-by = ✅ Resolved by { $agent }. The customer was asked to rate the help.
support-closed-by = Closed by { $agent }.
support-assigned = Assigned to { $agent }.
support-priority-usage = Use /priority low, /priority normal or /priority high.
support-priority-set = Priority set to { $priority }; the targets were recalculated.
support-transfer-usage = Use /transfer GROUP with one of: { $groups }
support-transferred = ➡️ Transferred to { $group }.
support-history = Conversation so far (from { $group }):
support-canned-unknown = There is no canned reply named “{ $name }”.
support-unassigned = nobody yet
support-target-first-response = first response
support-target-resolution = resolution
support-sla-warning = ⏰ Ticket #{ $ticket } ({ $assignee }): the { $target } target is due in { $minutes } min.
support-sla-breach = 🚨 SLA breached: ticket #{ $ticket } in { $group } missed its { $target } target (assignee: { $assignee }).
support-translation-unavailable = 🌐 (translation unavailable)
support-translation-off = Translation is not set up for this group: ask an admin to configure a translator and the group's translate_to language.
anomaly-header = 📉 This week compared with the week before:
anomaly-chat-activity = { $chat }: activity down { $drop }% ({ $baseline } → { $current } updates)
anomaly-chat-joins = { $chat }: joins down { $drop }% ({ $baseline } → { $current })
anomaly-paid-orders = Paid orders down { $drop }% ({ $baseline } → { $current })
anomaly-conversion = Conversion (paid orders per started chat) down { $drop }%: { $baseline } → { $current }
anomaly-failed-sends = { $failed } messages could not be sent in the last day ({ $share } of sends). Check the bot's access and the failed messages.

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = inactive for { $days } days
purge-reason-flagged = flagged by moderation (warnings or mutes)

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = Member
tier-name-silver = Silver
tier-name-gold = Gold
tier-name-black = Black
tier-up = 🎉 Congratulations! You are now { $tier }. Your benefits:
tier-down = Your membership tier is now { $tier }. Thank you for shopping with us.
tier-benefit-discount = { $percent }% off every order
tier-benefit-free-shipping = Free shipping
tier-benefit-early-access = Flash sales { $minutes } minutes before everyone else
join-declined-tier = Sorry, { $chat } is for { $tier } members and above, so we could not add you yet. Shop with us to reach { $tier }!
purge-reason-below-tier = below the chat's membership tier for more than { $days } days

# Loyalty points (/checkin, /points, rewards)
cmd-checkin = Daily check-in for points
cmd-points = Your points and rewards
points-checkin = ✅ Checked in! +{ $points } points (day { $streak } in a row). Your balance: { $balance } points.
points-checkin-already = You have already checked in today (day { $streak } in a row). Come back tomorrow! Your balance: { $balance } points.
points-balance = ⭐ You have { $balance } points. Earn more by shopping and with /checkin every day.
points-balance-rewards = ⭐ You have { $balance } points. Tap a reward to get it:
points-reward-button = { $benefit } for { $points } points
points-redeemed = 🎉 Done! { $points } points spent. Your code { $code } is on your cart: send /shop to use it. Points left: { $balance }.
points-not-enough = Sorry, that reward needs { $needed } points and you have { $balance }. Keep shopping and checking in!

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = Share your phone number
settings-share-phone = 📱 Share my phone number
phone-ask = Tap the button below to share your phone number. If you bought from us before, we will link your earlier purchases to this account.
phone-button = 📱 Share my phone number
phone-verified = Thank you! Your phone number is verified.
phone-not-yours = That is someone else's contact. Please share your own number with the button below.
phone-invalid = Sorry, that phone number could not be read. Please try the button again.
import-linked = Welcome back! Your earlier purchases with us are now linked to this account.
claim-unknown = Sorry, this link is not valid. Please open the complete link from your email.
claim-used = This link has already been used. If you think that is a mistake, send /agent.
claim-already-yours = This link is already linked to your account. Nothing more to do!
cmd-birthday = Share your birthday for a treat
birthday-saved = 🎂 Thank you! We saved your birthday: { $date }. Send /birthday clear to remove it.
birthday-cleared = Your birthday is removed.
birthday-current = Your birthday is saved as { $date }. Send /birthday with a new date to change it, or /birthday clear to remove it.
birthday-usage = Tell us your birthday and we will celebrate with you: send /birthday and the day and month, for example /birthday 14.03
birthday-invalid = Sorry, that date could not be read. Please send the day and month, for example /birthday 14.03 or /birthday 03-14.
automation-welcome-1 = Hi { $name }, welcome! Tap /shop to see what is new, and send /agent any time you need help.
automation-welcome-2 = { $name }, did you find something you like? Our newest products are waiting in /shop.
automation-abandoned-cart = { $name }, you left something in your cart. It is still waiting for you!
automation-cart-button = 🛒 View my cart
automation-review-request = { $name }, how was your order #{ $order }? Reply to this message and tell us; we read every answer.
automation-birthday = 🎂 Happy birthday, { $name }! Thank you for being with us.
automation-win-back = We miss you, { $name }! Here is { $percent }% off your next order with the code { $code }, valid for { $days } days.
automation-win-back-plain = We miss you, { $name }! Come and see what is new in /shop.
automation-win-back-code = Your code: { $code }
automation-restock = Good news, { $name }: { $product } is back in stock!
automation-restock-button = View the product
automation-notify-me = 🔔 Notify me
automation-notify-saved = We will tell you when it is back in stock.
automation-notify-in-stock = Good news: it is in stock again. Open the product to buy it.
