# Textos do bot groupcart para os clientes, em português do Brasil.
# Cada mensagem de en/bot.ftl precisa existir aqui com as mesmas variáveis (um teste verifica).

language-name = Português (Brasil)

choose-language = Qual idioma você prefere?
language-set = Combinado! Vou falar com você em português.

privacy-notice =
    Olá, { $name }! Que bom ter você aqui.

    Antes de começar, uma palavrinha sobre os seus dados. Para atender você, guardamos seu nome, nome de usuário e idioma do Telegram, o que você pede e as mensagens que você envia para este bot. Nunca vendemos seus dados. Você pode ver, exportar ou excluir seus dados a qualquer momento com /privacy.

    Escolha o que podemos enviar para você:
    • Mensagens de serviço: atualizações sobre pedidos, pagamentos e entregas, e respostas às suas perguntas.
    • Novidades e ofertas: cupons, lançamentos e promoções. Você pode desativar isso a qualquer momento.

    (Versão { $version } da política de privacidade)
consent-accept-all = ✅ Mensagens de serviço e ofertas
consent-accept-service = ✅ Só mensagens de serviço
consent-decline = ✖ Nada por enquanto
consent-saved-all = Obrigado! Você vai receber mensagens de serviço e também nossas novidades e ofertas. Mude isso quando quiser com /privacy.
consent-saved-service = Obrigado! Você vai receber apenas mensagens de serviço, sem ofertas. Mude isso quando quiser com /privacy.
consent-saved-none = Entendido: não vamos enviar mensagens por conta própria. Você ainda pode falar com a gente por aqui e mudar isso quando quiser com /privacy.

welcome-back = Que bom ver você de novo, { $name }! Envie /help para ver o que eu posso fazer.
help =
    Veja o que eu posso fazer:
    /shop: ver a loja
    /cart: seu carrinho
    /orders: seus pedidos
    /coupons: seus cupons
    /invite: convide amigos e ganhe recompensas
    /start: começar de novo
    /language: mudar o idioma
    /privacy: seus dados e suas escolhas
    /help: esta lista
not-understood = Desculpe, não entendi. Envie /help para ver o que eu posso fazer.
unknown-command = Não conheço esse comando. Envie /help para ver o que eu posso fazer.
button-expired = Este botão não é mais válido.
something-went-wrong = Desculpe, algo deu errado do nosso lado. Tente de novo daqui a pouco.

cmd-start = Começar de novo
cmd-help = O que este bot pode fazer
cmd-language = Mudar o idioma
cmd-privacy = Seus dados e suas escolhas

## Loja

cmd-shop = Ver a loja
cmd-cart = Seu carrinho
cmd-orders = Seus pedidos
shop-empty = A loja não tem nada à venda no momento. Volte em breve!
shop-choose-category = O que você está procurando?
shop-category-products = { $category }: página { $page } de { $pages }
shop-all-products = Todos os produtos: página { $page } de { $pages }
shop-previous = « Anterior
shop-next = Próxima »
shop-back = ↩ Categorias
shop-view-cart = 🛒 Carrinho ({ $count })
shop-product-price = Preço: { $price }
shop-product-was = (antes: { $price })
shop-in-stock = Em estoque
shop-also-like = Você também pode gostar:
shop-few-left = Apenas { $count } em estoque
shop-sold-out = Esgotado
shop-variant-sold-out = { $variant } (esgotado)
shop-not-available = Este produto não está mais disponível.
shop-added = Adicionado ao seu carrinho: { $item }
shop-no-more-stock = Desculpe, não temos mais { $item } em estoque.
cart-empty = Seu carrinho está vazio. Envie /shop para ver a loja.
cart-title = Seu carrinho:
cart-line = { $quantity } × { $item }: { $total }
cart-total = Total: { $total }
cart-checkout = ✅ Finalizar compra
cart-remove = ✕
checkout-problems = Alguns itens mudaram desde que você os adicionou, por isso não criamos o seu pedido:
checkout-unavailable = • { $item } não está mais disponível
checkout-short = • { $item }: só { $available } em estoque (você tem { $quantity } no carrinho)
checkout-price-changed = • { $item }: o preço agora é { $now } (era { $was }). Finalize de novo para aceitar.
checkout-fix = Atualize seu carrinho e finalize a compra novamente.
checkout-created = O pedido #{ $order } está reservado para você por { $minutes } minutos. Pague pela fatura abaixo.
invoice-title = Pedido #{ $order }
invoice-description = Itens da nossa loja: { $count }
invoice-total = Total
invoice-shipping = Frete
precheckout-expired = Este pedido expirou. Faça o pedido novamente.
precheckout-mismatch = Esta fatura não corresponde mais ao seu pedido. Faça o pedido novamente.
precheckout-shipping-changed = Esta opção de envio não está mais disponível. Escolha outra, por favor.
shipping-not-available = Desculpe, ainda não enviamos para { $country }.
order-paid = Obrigado! Recebemos seu pagamento de { $total } referente ao pedido #{ $order }. Avisaremos você quando ele for enviado.
order-paid-late = Recebemos seu pagamento do pedido #{ $order }, mas o pedido já tinha expirado. Nossa equipe vai reembolsar você ou entrar em contato em breve.
order-shipped = Boa notícia: o pedido #{ $order } está a caminho (transportadora: { $carrier }). Código de rastreio: { $tracking }
order-delivered = O pedido #{ $order } foi entregue. Aproveite, e obrigado por comprar com a gente!
order-cancelled = O pedido #{ $order } foi cancelado.
order-expired = O pedido #{ $order } expirou porque não foi pago a tempo. Os itens voltaram ao estoque: envie /shop para pedir de novo.
order-refunded = O pedido #{ $order } foi reembolsado.
orders-none = Você ainda não tem pedidos. Envie /shop para ver a loja.
order-lookup-unknown = Não encontrei o pedido #{ $order } entre os seus pedidos. Envie /orders para vê-los.
order-words = pedido, encomenda, pacote, entrega, rastreio, rastreamento, envio
orders-title = Seus pedidos recentes:
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = aguardando pagamento
order-status-paid = pago
order-status-shipped = enviado
order-status-delivered = entregue
order-status-completed = concluído
order-status-cancelled = cancelado
order-status-refunded = reembolsado
order-details = Pedido #{ $order }: { $status }
order-timeline-line = { $date }: { $status }
order-tracking = Enviado pela transportadora { $carrier }, código de rastreio { $tracking }

## Chat da equipe (no idioma padrão do bot)

staff-new-order = 🛒 Novo pedido pago #{ $order }: { $total } de { $customer }
staff-ship-to = Enviar para: { $address }
staff-button-ship = 🚚 Enviar
staff-button-cancel = ✖ Cancelar
staff-ship-hint = Envie /ship { $order } TRANSPORTADORA CÓDIGO_DE_RASTREIO
staff-shipped = O pedido #{ $order } foi marcado como enviado; o cliente já recebeu o código de rastreio.
staff-delivered = O pedido #{ $order } foi marcado como entregue.
staff-cancelled = O pedido #{ $order } foi cancelado e os itens voltaram ao estoque. Reembolse o pagamento, se houver.
staff-no-order = Não existe o pedido #{ $order }.
staff-refused = O pedido #{ $order } não foi alterado: { $reason }
staff-usage = Use /ship PEDIDO TRANSPORTADORA CÓDIGO_DE_RASTREIO, /delivered PEDIDO, /cancel PEDIDO ou /paid PEDIDO.
staff-stuck-parcel = ⚠️ O pedido #{ $order } foi enviado pela { $carrier } ({ $tracking }), mas está há { $days } dias sem atualização. Verifique o pacote.
shop-pay-manually = 🏦 Transferência bancária ou pagamento na entrega
checkout-manual-offer = Prefere pagar de outra forma?
order-manual-chosen = Guardamos o seu pedido #{ $order } ({ $total }) por { $days } dias. Vamos confirmar assim que o pagamento chegar.
staff-manual-order = 🏦 O pedido #{ $order }: { $total } de { $customer } será pago manualmente. Confirme quando o dinheiro chegar.
staff-button-confirm = ✅ Pagamento recebido
staff-payment-confirmed = O pagamento do pedido #{ $order } foi confirmado; o cliente já foi avisado.

## Coupons

cmd-coupons = Seus cupons
coupon-usage = Para usar um código, envie /coupon seguido do código, por exemplo: /coupon WELCOME10
coupon-current = Seu carrinho tem o código { $code }. Envie /coupon off para removê-lo.
coupon-removed = O código foi removido do seu carrinho.
coupon-saved = O código { $code } foi salvo: o desconto entra quando você finalizar o pedido.
coupon-applied = O código { $code } está no seu carrinho: { $saving } de desconto.
coupon-unknown = Desculpe, o código { $code } não existe. Confira e tente de novo.
coupon-not-started = O código { $code } pode ser usado a partir de { $date }.
coupon-expired = Desculpe, o código { $code } expirou.
coupon-not-for-you = Desculpe, o código { $code } não está disponível para a sua conta.
coupon-currency = O código { $code } não pode ser usado na moeda desta loja.
coupon-used-up = Desculpe, o código { $code } esgotou.
coupon-customer-limit = Você já usou o código { $code } o máximo de vezes permitido.
coupon-nothing-eligible = O código { $code } não vale para nenhum item do seu carrinho.
coupon-minimum-spend = Adicione mais { $missing } em itens válidos para usar o código { $code }.
coupon-minimum-quantity = Adicione mais { $missing } itens válidos para usar o código { $code }.
checkout-promotion-ended = • Uma promoção ({ $code }) acabou agora mesmo. Confira o novo total e finalize de novo.
invoice-discount = Desconto
cart-discount = 🏷 { $name }: { $amount }
coupons-title = Seus cupons:
coupons-none = Você não tem cupons no momento. Acompanhe nosso canal para ganhar novos!
coupons-line = 🎟 { $code }: { $name }, { $benefit }
coupons-automatic = 🏷 { $name }: { $benefit } (aplicado automaticamente)
coupons-min-spend = , a partir de { $amount }
coupons-until = , até { $date }
benefit-percent = { $percent } % de desconto
benefit-fixed = { $amount } de desconto
benefit-free-shipping = frete grátis
benefit-buy-get-free = compre { $buy } e leve { $get } grátis
benefit-buy-get-off = compre { $buy } e leve { $get } com { $percent } % de desconto

## Community

join-check-button = Olá, { $name }! Para entrar em { $chat }, toque no botão abaixo em até 4 minutos.
join-check-button-label = ✅ Não sou um robô
join-check-question = Olá, { $name }! Para entrar em { $chat }, responda a esta pergunta em até 4 minutos:
join-check-done = Obrigado, recebemos sua resposta para { $chat }.
join-check-closed = Este pedido para entrar não está mais aberto.
join-approved = Boas-vindas a { $chat }! 🎉
join-coupon = Aqui está seu presente de boas-vindas: { $benefit } com o código { $code }. Ele já está no seu carrinho: envie /shop para usar.
join-declined = Desculpe, a resposta não está certa, então não pudemos adicionar você a { $chat }. Você pode pedir para entrar de novo.
join-timed-out = O tempo para entrar em { $chat } acabou. Você pode pedir para entrar de novo quando quiser.
join-review = Olá { $name }! Seu pedido para entrar em { $chat } será analisado pela nossa equipe. Aguarde a decisão.
join-declined-staff = Desculpe, seu pedido para entrar em { $chat } não foi aprovado.
join-review-staff = 🙋 { $person } pede para entrar em { $chat }.
join-review-staff-member = 🙋 { $person } entrou em { $chat } e não pode escrever até você decidir.
join-review-approve = ✅ Aprovar
join-review-decline = ❌ Recusar
join-review-approved = ✅ { $person } em { $chat }: aprovado por { $staff }.
join-review-declined = ❌ { $person } em { $chat }: recusado por { $staff }.
join-review-decided = Isso já foi decidido.
group-check-button = Boas-vindas, { $name }! Toque no botão abaixo em até { $minutes } minutos para poder escrever aqui.
group-check-question = Boas-vindas, { $name }! Responda em até { $minutes } minutos para poder escrever aqui:
group-check-not-yours = Esta verificação é para outra pessoa.
group-check-closed = Esta verificação está encerrada.

## Flash sales
flash-sale-title = ⚡ Oferta relâmpago: { $product }
flash-sale-price = Preço da oferta: { $price }
flash-sale-price-was = Preço da oferta: { $price } em vez de { $was }
flash-sale-limit = Limite: { $count } por cliente
flash-sale-line-upcoming = ⏰ Começa em { $start } · só { $units } unidades
flash-sale-line-running = 🔥 Acontecendo agora: restam { $left } de { $units } · termina em { $end }
flash-sale-line-sold-out = 🚫 Esgotado
flash-sale-line-ended = ⌛ Esta oferta relâmpago terminou.
flash-sale-line-cancelled = Esta oferta relâmpago foi cancelada.
flash-sale-remind-button = 🔔 Me avise
flash-sale-early-access = ⭐ Acesso antecipado: seu nível de membro permite comprar agora, antes de a oferta abrir para todos.
flash-sale-open-button = 🛒 Comprar no bot
flash-sale-buy-button = 🛒 Comprar agora · { $price }
flash-sale-started = ⚡ A oferta relâmpago que você queria começou!
flash-sale-reminder-set = 🔔 Pronto! Vamos te avisar quando a oferta começar.
flash-sale-reminder-already = Você já está na lista: vamos te avisar quando a oferta começar.
flash-sale-start-bot = Inicie o bot primeiro para que ele possa te escrever e toque em “Me avise” de novo.
flash-sale-on-now = A oferta já começou: toque em “Comprar agora” no bot.
flash-sale-unknown = Desculpe, esta oferta relâmpago não existe.
flash-sale-cancelled = Desculpe, esta oferta relâmpago foi cancelada.
flash-sale-not-started = ⏰ Ainda não! A oferta começa em { $start }.
flash-sale-ended = ⌛ Desculpe, esta oferta relâmpago terminou.
flash-sale-sold-out = 😔 Esgotado! Unidades de pedidos não pagos voltam após { $minutes } minutos: tente mais tarde.
flash-sale-limit-reached = Você já tem { $count } desta oferta, o máximo por cliente.
flash-sale-got-it = 🎉 Você conseguiu! Pague a fatura em até { $minutes } minutos para garantir.

## Giveaways

giveaway-announcement =
    🎁 Sorteio: { $prize }
    { $winners } ganhador(es), sorteio em { $ends }. Toque no botão para participar!
    Sorteio justo: o SHA-256 da nossa semente secreta é { $commitment }; a semente é publicada com o resultado.
giveaway-join = 🎁 Participar
giveaway-entered = Você está participando! Seu número é #{ $number }. Abra uma conversa comigo para eu avisar se você ganhar.
giveaway-already-in = Você já está participando, com o número #{ $number }.
giveaway-closed = Este sorteio terminou.
giveaway-won = 🎉 Você ganhou o sorteio: { $prize }!
giveaway-prize-code = Seu código de prêmio é { $code }; ele já está no seu carrinho.
giveaway-no-entries = ninguém participou
giveaway-result =
    🎁 Resultado do sorteio: { $prize }
    Ganhadores: { $winners }
    Participantes: { $entries }
    Semente: { $seed } (o SHA-256 dela é { $commitment }, como anunciado). O número n recebe SHA-256("semente:n"); os menores ganham.
giveaway-requires = Para ganhar, seja membro de { $chats } no sorteio.
giveaway-skipped = Pulados (não eram membros dos chats exigidos no sorteio): { $entries }

## Referrals
cmd-invite = Convide amigos
invite =
    🎁 Convide amigos e ganhe recompensas!
    Seu link pessoal: { $link }

    Inícios: { $starts } · Novos clientes: { $joins } · Primeiros pedidos: { $orders } · Recompensas: { $rewards }

    Você ganha uma recompensa quando um amigo novo aqui paga o primeiro pedido.
invite-share = 📤 Compartilhar
invite-share-text = Venha comprar comigo aqui!
referral-self = Esse é o seu próprio link de convite: compartilhe com amigos para ganhar recompensas.
referral-welcome = 🎁 Bem-vindo! Um amigo convidou você. Seu código de boas-vindas { $code } já está no seu carrinho.
referral-rewarded = 🎉 Um amigo que você convidou acabou de pagar o primeiro pedido. Seu código de recompensa: { $code }

## Group-buys
group-buy-offer =
    👥 Compra em grupo: { $product }
    Junte { $size } pessoas e cada uma paga { $price } em vez de { $was }.
    Um time tem { $hours } h para fechar; se não fechar, todos são reembolsados.
group-buy-open-button = 👥 Criar um time · { $price }
group-buy-team = 👥 Compra em grupo: { $product } por { $price } em vez de { $was }
group-buy-progress = { $members }/{ $size } entraram · { $paid } pagaram · faltam { $hours } h
group-buy-line-full = ✅ O time está completo: os { $size } pedidos seguem em frente.
group-buy-line-failed = ⌛ Este time fechou: não entraram pessoas suficientes a tempo.
group-buy-join-button = 👥 Entrar no time
group-buy-join-price-button = 👥 Entrar · { $price }
group-buy-share-button = 📤 Convidar amigos
group-buy-share-text = Entre no meu time de compra em grupo e todos pagamos o preço de grupo!
group-buy-unknown = Desculpe, esta compra em grupo não existe.
group-buy-offer-ended = Desculpe, esta oferta de compra em grupo terminou.
group-buy-no-stock = 😔 Não há estoque suficiente para um novo time. Entre em um time aberto ou tente mais tarde.
group-buy-team-closed = Desculpe, este time está fechado.
group-buy-no-place = Desculpe, todas as vagas deste time foram ocupadas. Crie o seu próprio time!
group-buy-already-member = Você já está neste time.
group-buy-placed = 👥 Sua vaga está reservada: pague a fatura em { $minutes } minutos para mantê-la.
group-buy-complete = 🎉 Seu time está completo! O pedido { $order } segue pelo preço de grupo.
group-buy-failed = ⌛ Seu time não fechou a tempo. O pedido { $order } foi encerrado e qualquer pagamento será reembolsado.
group-buy-offer-reserve =
    👥 Compra em grupo: { $product }
    Junte { $size } pessoas e cada uma paga { $price } em vez de { $was }.
    Reserve sua vaga agora e pague quando o time estiver completo; um time tem { $hours } h para fechar.
group-buy-reserved = 👥 Sua vaga está reservada. Enviaremos a fatura quando o time estiver completo.
group-buy-complete-pay = 🎉 Seu time está completo! Pague { $price } pelo pedido { $order } em { $minutes } minutos para manter sua vaga.
group-buy-full-price = ⌛ Seu time não fechou a tempo. Você ainda pode levar o pedido { $order } pelo preço normal, { $price }: pague em { $minutes } minutos ou deixe expirar.

## Moderation
moderation-rule-words = uma palavra não permitida aqui
moderation-rule-links = links para outros sites não são permitidos aqui
moderation-rule-flood = mensagens demais
moderation-warned = ⚠️ { $name }, aviso { $count } de { $limit }: { $reason }.
moderation-muted = 🔇 { $name } foi silenciado por { $hours } h: { $reason }.
moderation-banned = ⛔ { $name } foi removido do grupo: { $reason }.
moderation-rule-forwards = encaminhamentos de outros canais não são permitidos aqui
moderation-rule-media = este tipo de mídia não é permitido aqui
moderation-rule-bot_mentions = menções a outros bots não são permitidas aqui
moderation-rule-staff = por um moderador
moderation-muted-minutes = 🔇 { $name } foi silenciado por { $minutes } min: { $reason }.
moderation-unmuted = 🔊 { $name } pode escrever de novo.
moderation-unbanned = ✅ { $name } pode entrar no grupo de novo.
moderation-command-usage = Responda a uma mensagem com /warn, /mute 30m (ou 1h, 1d) ou /ban, com um motivo se quiser; /unmute e /unban também aceitam um id de usuário.
appeal-usage = Escreva seu recurso depois do comando, por exemplo: /appeal Só compartilhei o link de rastreio do meu pedido.
appeal-nothing = Você não está silenciado nem banido em nenhum dos nossos grupos.
appeal-unavailable = Não é possível enviar recursos aqui; fale com os administradores do grupo.
appeal-sent = Seu recurso sobre { $chat } foi enviado à equipe. Você receberá a resposta aqui.
appeal-staff = 📨 Recurso de { $name } (id { $user }) em { $chat } ({ $reason }): { $text }
appeal-button-lift = ✅ Suspender
appeal-button-keep = ❌ Manter
appeal-reason = recurso aceito
appeal-decided = Este recurso já foi decidido.
appeal-lifted-staff = ✅ Recurso de { $name } (id { $user }) em { $chat }: suspenso por { $staff }.
appeal-kept-staff = ❌ Recurso de { $name } (id { $user }) em { $chat }: mantido por { $staff }.
appeal-lifted = Seu recurso sobre { $chat } foi aceito: a restrição foi suspensa.
appeal-kept = Seu recurso sobre { $chat } foi analisado: a restrição continua.
raid-alert = 🚨 Onda de entradas em “{ $chat }”: { $joins } entradas em { $seconds } s. Quem pedir para entrar terá uma verificação mais rígida pelos próximos { $minutes } min.
staff-chat-rights = ⚠️ O bot precisa de mais permissões em “{ $chat }”: { $rights }. Abra as configurações de administradores do chat para corrigir.
right-admin = torne-o administrador
right-invite = permita que convide usuários (links de convite e pedidos)
right-delete = permita que apague mensagens (moderação)
right-restrict = permita que bana usuários (silenciar e banir)

## Settings
cmd-settings = Suas configurações
settings-marketing-on = Novidades e ofertas: ativadas. Você pode desativá-las aqui quando quiser.
settings-marketing-off = Novidades e ofertas: desativadas. Os avisos de pedidos e entregas continuam chegando.
settings-stop-marketing = Parar novidades e ofertas
settings-allow-marketing = Quero receber novidades e ofertas
marketing-stopped = Pronto: não enviaremos mais novidades e ofertas. Os avisos de pedidos e entregas continuam chegando.
marketing-allowed = Pronto: você vai receber nossas novidades e ofertas. Desative quando quiser com /settings.

## Privacy: what is stored, export and erasure
privacy-overview =
    Seus dados conosco:
    • seu nome, usuário e idioma do Telegram, para falar com você;
    • seus pedidos, endereços e pagamentos, para entregar e para a contabilidade;
    • as mensagens que você envia a este bot, para responder;
    • suas escolhas abaixo, como prova do que você aceitou.
    Nunca vendemos seus dados.

    Versão da política que você aceitou: { $version }
    Novidades e ofertas: { $marketing }
privacy-none = nenhuma ainda
privacy-on = ativadas
privacy-off = desativadas
privacy-button-choices = Mudar minhas escolhas
privacy-button-export = 📦 Exportar meus dados
privacy-button-erase = 🗑 Apagar meus dados
privacy-erase-confirm =
    Apagar todos os seus dados? Seu perfil, endereços, mensagens e escolhas serão apagados e não enviaremos mais mensagens. Os pedidos ficam na nossa contabilidade sem o seu nome, como a lei exige. Não é possível desfazer.
privacy-erase-yes = Sim, apagar tudo
privacy-erase-no = Não, manter
privacy-erased = Seus dados foram apagados. Esta é a última mensagem que você recebe de nós. Até logo!
privacy-kept = Nada foi apagado.
privacy-export-preparing = Preparando seus dados. O arquivo chegará aqui em alguns minutos.
privacy-export-caption = Seus dados: { $orders } pedidos, { $messages } mensagens, { $events } registros de atividade, { $consents } registros de consentimento, { $referrals } indicações, { $tags } etiquetas. O arquivo anexo contém tudo em JSON.

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = Falar com uma pessoa
faq-button-helpful = 👍 Ajudou
faq-button-not-helpful = 👎 Não ajudou
faq-thanks = Obrigado por nos contar!
support-button-agent = 🙋 Falar com uma pessoa
support-did-you-mean = Não tenho certeza se entendi. Você quis dizer uma destas opções?
support-offer-agent = Que pena que isso não ajudou. Quer falar com uma pessoa?
support-no-agents = Desculpe, ninguém da nossa equipe pode responder perguntas aqui no momento. Tente /help.
support-media-needs-ticket = Para nos enviar uma foto ou um arquivo, toque em /agent primeiro e depois envie.
support-ticket-opened = Passei sua pergunta para a nossa equipe (chamado #{ $ticket }). Uma pessoa vai te responder aqui mesmo. Tudo o que você enviar a partir de agora também vai para a equipe.
support-ticket-continues = Nossa equipe já está com a sua conversa #{ $ticket }; o que você enviar vai para ela.
support-outside-hours = Nossa equipe está ausente no momento e volta em { $time } ({ $zone }). Vamos responder nesse horário.
support-resolved = Sua pergunta #{ $ticket } foi marcada como resolvida. Quão satisfeito você está com a nossa ajuda?
support-nps-question = Qual a probabilidade de você nos recomendar a um amigo? (0 = nenhuma, 10 = muito provável)
support-rating-thanks = Obrigado pela sua opinião!

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 Chamado #{ $ticket } · { $topic } · prioridade { $priority }
    Cliente: { $name } ({ $username }), idioma { $language }
support-no-orders = Nenhum pedido ainda.
support-agent-help = Responda aqui para falar com o cliente. Mensagens que começam com // (ou /note) são notas internas. Comandos: /resolve, /close, /assign, /priority low|normal|high, /transfer GRUPO, /canned NOME, /tr TEXTO (enviado traduzido).
support-ticket-not-active = O chamado #{ $ticket } não está mais aberto: nada foi enviado ao cliente.
support-resolved-by = ✅ Resolvido por { $agent }. O cliente foi convidado a avaliar o atendimento.
support-closed-by = Fechado por { $agent }.
support-assigned = Atribuído a { $agent }.
support-priority-usage = Use /priority low, /priority normal ou /priority high.
support-priority-set = Prioridade definida como { $priority }; os prazos foram recalculados.
support-transfer-usage = Use /transfer GRUPO com um destes: { $groups }
support-transferred = ➡️ Transferido para { $group }.
support-history = Conversa até agora (vinda de { $group }):
support-canned-unknown = Não existe resposta pronta chamada “{ $name }”.
support-unassigned = ninguém ainda
support-target-first-response = primeira resposta
support-target-resolution = resolução
support-sla-warning = ⏰ Chamado #{ $ticket } ({ $assignee }): o prazo de { $target } vence em { $minutes } min.
support-sla-breach = 🚨 SLA violado: o chamado #{ $ticket } em { $group } perdeu o prazo de { $target } (responsável: { $assignee }).
support-translation-unavailable = 🌐 (tradução indisponível)
support-translation-off = A tradução não está configurada para este grupo: peça a um administrador para configurar um tradutor e o idioma translate_to do grupo.
anomaly-header = 📉 Esta semana em comparação com a anterior:
anomaly-chat-activity = { $chat }: atividade { $drop }% menor ({ $baseline } → { $current } atualizações)
anomaly-chat-joins = { $chat }: entradas { $drop }% menores ({ $baseline } → { $current })
anomaly-paid-orders = Pedidos pagos { $drop }% a menos ({ $baseline } → { $current })
anomaly-conversion = Conversão (pedidos pagos por conversa iniciada) { $drop }% menor: { $baseline } → { $current }
anomaly-failed-sends = { $failed } mensagens não puderam ser enviadas no último dia ({ $share } dos envios). Verifique o acesso do bot e as mensagens com falha.

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = inativo há { $days } dias
purge-reason-flagged = sinalizado pela moderação (avisos ou silenciamentos)

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = Membro
tier-name-silver = Prata
tier-name-gold = Ouro
tier-name-black = Black
tier-up = 🎉 Parabéns! Agora você é { $tier }. Seus benefícios:
tier-down = Seu nível de membro agora é { $tier }. Obrigado por comprar conosco.
tier-benefit-discount = { $percent }% de desconto em todo pedido
tier-benefit-free-shipping = Frete grátis
tier-benefit-early-access = Ofertas relâmpago { $minutes } minutos antes de todos
join-declined-tier = Desculpe, { $chat } é para membros { $tier } ou acima, então ainda não pudemos adicionar você. Compre conosco para chegar a { $tier }!
purge-reason-below-tier = abaixo do nível de membro do chat por mais de { $days } dias

# Pontos de fidelidade (/checkin, /points, recompensas)
cmd-checkin = Check-in diário para ganhar pontos
cmd-points = Seus pontos e recompensas
points-checkin = ✅ Check-in feito! +{ $points } pontos ({ $streak }º dia seguido). Seu saldo: { $balance } pontos.
points-checkin-already = Você já fez check-in hoje ({ $streak }º dia seguido). Volte amanhã! Seu saldo: { $balance } pontos.
points-balance = ⭐ Você tem { $balance } pontos. Ganhe mais comprando e com /checkin todos os dias.
points-balance-rewards = ⭐ Você tem { $balance } pontos. Toque em uma recompensa para resgatar:
points-reward-button = { $benefit } por { $points } pontos
points-redeemed = 🎉 Pronto! { $points } pontos usados. Seu código { $code } está no carrinho: envie /shop para usar. Pontos restantes: { $balance }.
points-not-enough = Desculpe, essa recompensa precisa de { $needed } pontos e você tem { $balance }. Continue comprando e fazendo check-in!

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = Compartilhe seu número de telefone
settings-share-phone = 📱 Compartilhar meu número
phone-ask = Toque no botão abaixo para compartilhar seu número de telefone. Se você já comprou conosco, vamos vincular suas compras anteriores a esta conta.
phone-button = 📱 Compartilhar meu número
phone-verified = Obrigado! Seu número de telefone foi verificado.
phone-not-yours = Esse é o contato de outra pessoa. Compartilhe o seu próprio número com o botão abaixo.
phone-invalid = Desculpe, não conseguimos ler esse número. Tente o botão de novo.
import-linked = Bem-vindo de volta! Suas compras anteriores conosco agora estão vinculadas a esta conta.
claim-unknown = Desculpe, este link não é válido. Abra o link completo do seu e-mail.
claim-used = Este link já foi usado. Se achar que é um engano, envie /agent.
claim-already-yours = Este link já está vinculado à sua conta. Não precisa fazer mais nada!
cmd-birthday = Conte seu aniversário e ganhe um mimo
birthday-saved = 🎂 Obrigado! Salvamos seu aniversário: { $date }. Envie /birthday clear para removê-lo.
birthday-cleared = Seu aniversário foi removido.
birthday-current = Seu aniversário salvo é { $date }. Envie /birthday com uma nova data para mudar, ou /birthday clear para remover.
birthday-usage = Conte seu aniversário e vamos comemorar com você: envie /birthday com o dia e o mês, por exemplo /birthday 14.03
birthday-invalid = Desculpe, não conseguimos ler essa data. Envie o dia e o mês, por exemplo /birthday 14.03 ou /birthday 03-14.
automation-welcome-1 = Oi { $name }, boas-vindas! Toque em /shop para ver as novidades e envie /agent sempre que precisar de ajuda.
automation-welcome-2 = { $name }, encontrou algo de que gostou? Nossos produtos mais novos esperam por você em /shop.
automation-abandoned-cart = { $name }, você deixou algo no carrinho. Ainda está esperando por você!
automation-cart-button = 🛒 Ver meu carrinho
automation-review-request = { $name }, como foi o seu pedido #{ $order }? Responda a esta mensagem e conte para a gente; lemos todas as respostas.
automation-birthday = 🎂 Feliz aniversário, { $name }! Obrigado por estar com a gente.
automation-win-back = Sentimos sua falta, { $name }! Ganhe { $percent }% de desconto no próximo pedido com o código { $code }, válido por { $days } dias.
automation-win-back-plain = Sentimos sua falta, { $name }! Venha ver as novidades em /shop.
automation-win-back-code = Seu código: { $code }
automation-restock = Boa notícia, { $name }: { $product } voltou ao estoque!
automation-restock-button = Ver o produto
automation-notify-me = 🔔 Avise-me
automation-notify-saved = Vamos avisar você quando voltar ao estoque.
automation-notify-in-stock = Boa notícia: voltou ao estoque. Abra o produto para comprar.
