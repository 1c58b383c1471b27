# Teks bot groupcart untuk pelanggan, dalam Bahasa Indonesia.
# Setiap pesan di en/bot.ftl harus ada di sini dengan variabel yang sama (diperiksa oleh tes).

language-name = Bahasa Indonesia

choose-language = Anda lebih suka menggunakan bahasa apa?
language-set = Baik, saya akan berbicara dengan Anda dalam Bahasa Indonesia.

privacy-notice =
    Halo { $name }, selamat datang!

    Sebelum mulai, kami ingin menjelaskan sedikit tentang data Anda. Untuk melayani Anda, kami menyimpan nama, nama pengguna, dan bahasa Telegram Anda, pesanan Anda, serta pesan yang Anda kirim ke bot ini. Kami tidak pernah menjual data Anda. Anda dapat melihat, mengekspor, atau menghapusnya kapan saja melalui /privacy.

    Silakan pilih apa saja yang boleh kami kirimkan kepada Anda:
    • Pesan layanan: kabar tentang pesanan, pembayaran, dan pengiriman, serta jawaban atas pertanyaan Anda.
    • Berita dan penawaran: kupon, produk baru, dan promo. Anda dapat menonaktifkannya kapan saja.

    (Kebijakan privasi versi { $version })
consent-accept-all = ✅ Pesan layanan dan penawaran
consent-accept-service = ✅ Hanya pesan layanan
consent-decline = ✖ Tidak dulu
consent-saved-all = Terima kasih! Anda akan menerima pesan layanan serta berita dan penawaran dari kami. Anda dapat mengubahnya kapan saja melalui /privacy.
consent-saved-service = Terima kasih! Anda hanya akan menerima pesan layanan, tanpa penawaran. Anda dapat mengubahnya kapan saja melalui /privacy.
consent-saved-none = Baik, kami tidak akan mengirimi Anda pesan atas inisiatif kami sendiri. Anda tetap bisa menghubungi kami di sini dan mengubah pilihan ini kapan saja melalui /privacy.

welcome-back = Selamat datang kembali, { $name }! Kirim /help untuk melihat apa saja yang bisa saya lakukan.
help =
    Ini yang bisa saya lakukan:
    /start: mulai dari awal
    /language: ganti bahasa
    /privacy: data dan pilihan Anda
    /help: daftar ini
not-understood = Maaf, saya tidak mengerti maksud Anda. Kirim /help untuk melihat apa saja yang bisa saya lakukan.
unknown-command = Saya tidak mengenal perintah itu. Kirim /help untuk melihat apa saja yang bisa saya lakukan.
button-expired = Tombol ini sudah tidak berlaku.
something-went-wrong = Maaf, terjadi kesalahan di sistem kami. Silakan coba lagi sebentar lagi.

cmd-start = Mulai dari awal
cmd-help = Apa saja yang bisa dilakukan bot ini
cmd-language = Ganti bahasa
cmd-privacy = Data dan pilihan Anda

## Toko

cmd-shop = Lihat toko
cmd-cart = Keranjang Anda
cmd-orders = Pesanan Anda
shop-empty = Saat ini belum ada produk yang dijual di toko. Silakan mampir lagi nanti!
shop-choose-category = Apa yang sedang Anda cari?
shop-category-products = { $category }: halaman { $page } dari { $pages }
shop-all-products = Semua produk: halaman { $page } dari { $pages }
shop-previous = « Sebelumnya
shop-next = Berikutnya »
shop-back = ↩ Kategori
shop-view-cart = 🛒 Keranjang ({ $count })
shop-product-price = Harga: { $price }
shop-product-was = (sebelumnya { $price })
shop-in-stock = Stok tersedia
shop-few-left = Stok tinggal { $count }
shop-sold-out = Stok habis
shop-variant-sold-out = { $variant } (stok habis)
shop-not-available = Produk ini sudah tidak tersedia.
shop-added = Ditambahkan ke keranjang Anda: { $item }
shop-no-more-stock = Maaf, stok { $item } sudah habis.
cart-empty = Keranjang Anda masih kosong. Kirim /shop untuk mulai berbelanja.
cart-title = Keranjang Anda:
cart-line = { $quantity } × { $item }: { $total }
cart-total = Total: { $total }
cart-checkout = ✅ Checkout
cart-remove = ✕
checkout-problems = Beberapa barang berubah sejak Anda menambahkannya, jadi pesanan Anda belum kami buat:
checkout-unavailable = • { $item } sudah tidak tersedia
checkout-short = • { $item }: stok hanya tersisa { $available } (di keranjang Anda: { $quantity })
checkout-fix = Silakan perbarui keranjang Anda, lalu checkout lagi.
checkout-created = Pesanan #{ $order } kami simpan untuk Anda selama { $minutes } menit. Silakan bayar melalui tagihan di bawah ini.
invoice-title = Pesanan #{ $order }
invoice-description = { $count } barang dari toko kami
invoice-total = Total
invoice-shipping = Ongkos kirim
precheckout-expired = Pesanan ini sudah kedaluwarsa. Silakan pesan lagi.
precheckout-mismatch = Tagihan ini sudah tidak sesuai dengan pesanan Anda. Silakan pesan lagi.
order-paid = Terima kasih! Pembayaran Anda sebesar { $total } untuk pesanan #{ $order } sudah kami terima. Kami akan mengabari Anda saat pesanan dikirim.
order-paid-late = Pembayaran Anda untuk pesanan #{ $order } sudah kami terima, tetapi pesanan tersebut sudah kedaluwarsa. Tim kami akan segera mengembalikan dana Anda atau menghubungi Anda.
order-shipped = Kabar baik: pesanan #{ $order } sedang dalam perjalanan melalui { $carrier }. Nomor resi: { $tracking }
order-delivered = Pesanan #{ $order } sudah sampai. Selamat menikmati, dan terima kasih telah berbelanja di toko kami!
order-cancelled = Pesanan #{ $order } telah dibatalkan.
order-expired = Pesanan #{ $order } kedaluwarsa karena tidak dibayar tepat waktu. Barangnya sudah kembali tersedia: kirim /shop untuk memesan lagi.
order-refunded = Dana untuk pesanan #{ $order } telah dikembalikan.
orders-none = Anda belum punya pesanan. Kirim /shop untuk mulai berbelanja.
orders-title = Pesanan terbaru Anda:
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = menunggu pembayaran
order-status-paid = sudah dibayar
order-status-shipped = dikirim
order-status-delivered = sampai
order-status-completed = selesai
order-status-cancelled = dibatalkan
order-status-refunded = dana dikembalikan
order-details = Pesanan #{ $order }: { $status }
order-timeline-line = { $date }: { $status }
order-tracking = Dikirim melalui { $carrier }, nomor resi { $tracking }

## Obrolan staf (dalam bahasa bawaan bot)

staff-new-order = 🛒 Pesanan baru lunas #{ $order }: { $total } dari { $customer }
staff-ship-to = Kirim ke: { $address }
staff-button-ship = 🚚 Kirim
staff-button-cancel = ✖ Batalkan
staff-ship-hint = Kirim /ship { $order } KURIR NOMOR_RESI
staff-shipped = Pesanan #{ $order } ditandai sudah dikirim; pelanggan sudah menerima nomor resinya.
staff-delivered = Pesanan #{ $order } ditandai sudah sampai.
staff-cancelled = Pesanan #{ $order } dibatalkan dan stoknya sudah dikembalikan. Kembalikan dana jika pelanggan sudah membayar.
staff-no-order = Pesanan #{ $order } tidak ditemukan.
staff-refused = Pesanan #{ $order } tidak diubah: { $reason }
staff-usage = Gunakan /ship PESANAN KURIR NOMOR_RESI, /delivered PESANAN, /cancel PESANAN, atau /paid PESANAN.
staff-stuck-parcel = ⚠️ Pesanan #{ $order } dikirim lewat { $carrier } ({ $tracking }), tetapi sudah { $days } hari tanpa kabar. Mohon periksa paketnya.
shop-pay-manually = 🏦 Transfer bank atau bayar di tempat
checkout-manual-offer = Ingin membayar dengan cara lain?
order-manual-chosen = Pesanan #{ $order } ({ $total }) kami simpan untuk Anda selama { $days } hari. Kami akan mengonfirmasi begitu pembayaran Anda diterima.
staff-manual-order = 🏦 Pesanan #{ $order }: { $total } dari { $customer } akan dibayar manual. Konfirmasi setelah dana masuk.
staff-button-confirm = ✅ Pembayaran diterima
staff-payment-confirmed = Pembayaran pesanan #{ $order } telah dikonfirmasi; pelanggan sudah diberi tahu.
