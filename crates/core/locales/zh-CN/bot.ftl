# groupcart 机器人面向顾客的文案,简体中文。

language-name = 简体中文

choose-language = 您希望使用哪种语言？
language-set = 好的，我将用简体中文与您交流。

privacy-notice =
    { $name }，您好，欢迎！

    开始之前，先说明一下您的数据。为了给您提供服务，我们会保存您的 Telegram 名字、用户名和语言、您的订单，以及您发给本机器人的消息。我们绝不出售您的数据。您可以随时通过 /privacy 查看、导出或删除这些数据。

    请选择我们可以向您发送的内容：
    • 服务消息：订单、支付和物流通知，以及对您问题的回复。
    • 新闻与优惠：优惠券、新品和促销活动。您可以随时关闭。

    （隐私政策版本 { $version }）
consent-accept-all = ✅ 服务消息和优惠信息
consent-accept-service = ✅ 仅服务消息
consent-decline = ✖ 暂时都不要
consent-saved-all = 谢谢！您将收到服务消息以及我们的新闻和优惠。可随时通过 /privacy 修改。
consent-saved-service = 谢谢！您将只收到服务消息，不会收到优惠信息。可随时通过 /privacy 修改。
consent-saved-none = 明白了：我们不会主动给您发消息。您仍然可以在这里联系我们，并可随时通过 /privacy 修改。

welcome-back = 欢迎回来，{ $name }！发送 /help 查看我能做什么。
help =
    我可以为您做这些：
    /start：重新开始
    /language：更换语言
    /privacy：您的数据与选择
    /help：显示此列表
not-understood = 抱歉，我没有理解。发送 /help 查看我能做什么。
unknown-command = 我不认识这个命令。发送 /help 查看我能做什么。
button-expired = 此按钮已失效。
something-went-wrong = 抱歉，我们这边出了点问题，请稍后再试。

cmd-start = 重新开始
cmd-help = 机器人功能
cmd-language = 更换语言
cmd-privacy = 您的数据与选择

