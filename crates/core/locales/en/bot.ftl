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
