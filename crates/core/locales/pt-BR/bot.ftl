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
checkout-fix = Atualize seu carrinho e finalize a compra novamente.
checkout-created = O pedido #{ $order } está reservado para você por { $minutes } minutos. Pague pela fatura abaixo.
invoice-title = Pedido #{ $order }
invoice-description = Itens da nossa loja: { $count }
invoice-total = Total
invoice-shipping = Frete
precheckout-expired = Este pedido expirou. Faça o pedido novamente.
precheckout-mismatch = Esta fatura não corresponde mais ao seu pedido. Faça o pedido novamente.
order-paid = Obrigado! Recebemos seu pagamento de { $total } referente ao pedido #{ $order }. Avisaremos você quando ele for enviado.
order-paid-late = Recebemos seu pagamento do pedido #{ $order }, mas o pedido já tinha expirado. Nossa equipe vai reembolsar você ou entrar em contato em breve.
order-shipped = Boa notícia: o pedido #{ $order } está a caminho (transportadora: { $carrier }). Código de rastreio: { $tracking }
order-delivered = O pedido #{ $order } foi entregue. Aproveite, e obrigado por comprar com a gente!
order-cancelled = O pedido #{ $order } foi cancelado.
order-expired = O pedido #{ $order } expirou porque não foi pago a tempo. Os itens voltaram ao estoque: envie /shop para pedir de novo.
order-refunded = O pedido #{ $order } foi reembolsado.
orders-none = Você ainda não tem pedidos. Envie /shop para ver a loja.
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
