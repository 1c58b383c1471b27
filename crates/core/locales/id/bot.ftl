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
    /shop: lihat toko
    /cart: keranjang Anda
    /orders: pesanan Anda
    /coupons: kupon Anda
    /invite: ajak teman dan dapatkan hadiah
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
shop-also-like = Mungkin Anda juga suka:
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
checkout-price-changed = • { $item }: harganya sekarang { $now } (sebelumnya { $was }). Checkout lagi untuk menerimanya.
checkout-fix = Silakan perbarui keranjang Anda, lalu checkout lagi.
checkout-created = Pesanan #{ $order } kami simpan untuk Anda selama { $minutes } menit. Silakan bayar melalui tagihan di bawah ini.
invoice-title = Pesanan #{ $order }
invoice-description = { $count } barang dari toko kami
invoice-total = Total
invoice-shipping = Ongkos kirim
precheckout-expired = Pesanan ini sudah kedaluwarsa. Silakan pesan lagi.
precheckout-mismatch = Tagihan ini sudah tidak sesuai dengan pesanan Anda. Silakan pesan lagi.
precheckout-shipping-changed = Opsi pengiriman ini sudah tidak tersedia. Silakan pilih yang lain.
shipping-not-available = Maaf, kami belum mengirim ke { $country }.
order-paid = Terima kasih! Pembayaran Anda sebesar { $total } untuk pesanan #{ $order } sudah kami terima. Kami akan mengabari Anda saat pesanan dikirim.
order-paid-late = Pembayaran Anda untuk pesanan #{ $order } sudah kami terima, tetapi pesanan tersebut sudah kedaluwarsa. Tim kami akan segera mengembalikan dana Anda atau menghubungi Anda.
order-shipped = Kabar baik: pesanan #{ $order } sedang dalam perjalanan melalui { $carrier }. Nomor resi: { $tracking }
order-delivered = Pesanan #{ $order } sudah sampai. Selamat menikmati, dan terima kasih telah berbelanja di toko kami!
order-cancelled = Pesanan #{ $order } telah dibatalkan.
order-expired = Pesanan #{ $order } kedaluwarsa karena tidak dibayar tepat waktu. Barangnya sudah kembali tersedia: kirim /shop untuk memesan lagi.
order-refunded = Dana untuk pesanan #{ $order } telah dikembalikan.
orders-none = Anda belum punya pesanan. Kirim /shop untuk mulai berbelanja.
order-lookup-unknown = Pesanan #{ $order } tidak ditemukan di antara pesanan Anda. Kirim /orders untuk melihatnya.
order-words = pesanan, paket, resi, pengiriman, kiriman, order, lacak
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

## Coupons

cmd-coupons = Kupon Anda
coupon-usage = Untuk memakai kode, kirim /coupon diikuti kodenya, misalnya: /coupon WELCOME10
coupon-current = Keranjang Anda memakai kode { $code }. Kirim /coupon off untuk melepasnya.
coupon-removed = Kode sudah dilepas dari keranjang Anda.
coupon-saved = Kode { $code } disimpan: potongannya berlaku saat checkout.
coupon-applied = Kode { $code } dipakai di keranjang Anda: hemat { $saving }.
coupon-unknown = Maaf, kode { $code } tidak ada. Periksa lalu coba lagi.
coupon-not-started = Kode { $code } bisa dipakai mulai { $date }.
coupon-expired = Maaf, kode { $code } sudah kedaluwarsa.
coupon-not-for-you = Maaf, kode { $code } tidak tersedia untuk akun Anda.
coupon-currency = Kode { $code } tidak bisa dipakai dengan mata uang toko ini.
coupon-used-up = Maaf, kuota kode { $code } sudah habis.
coupon-customer-limit = Anda sudah memakai kode { $code } sebanyak yang diizinkan.
coupon-nothing-eligible = Kode { $code } tidak berlaku untuk barang di keranjang Anda.
coupon-minimum-spend = Tambah { $missing } lagi untuk barang yang berlaku agar bisa memakai kode { $code }.
coupon-minimum-quantity = Tambah { $missing } barang yang berlaku lagi agar bisa memakai kode { $code }.
checkout-promotion-ended = • Promo ({ $code }) baru saja habis. Silakan cek total baru lalu checkout lagi.
invoice-discount = Diskon
cart-discount = 🏷 { $name }: { $amount }
coupons-title = Kupon Anda:
coupons-none = Saat ini Anda belum punya kupon. Pantau terus kanal kami untuk kupon baru!
coupons-line = 🎟 { $code }: { $name }, { $benefit }
coupons-automatic = 🏷 { $name }: { $benefit } (otomatis)
coupons-min-spend = , min. belanja { $amount }
coupons-until = , berlaku sampai { $date }
benefit-percent = diskon { $percent } %
benefit-fixed = potongan { $amount }
benefit-free-shipping = gratis ongkir
benefit-buy-get-free = beli { $buy } gratis { $get }
benefit-buy-get-off = beli { $buy }, { $get } berikutnya diskon { $percent } %

## Community

join-check-button = Halo { $name }! Untuk bergabung ke { $chat }, ketuk tombol di bawah dalam 4 menit.
join-check-button-label = ✅ Saya bukan robot
join-check-question = Halo { $name }! Untuk bergabung ke { $chat }, jawab pertanyaan ini dalam 4 menit:
join-check-done = Terima kasih, jawaban Anda untuk { $chat } sudah kami terima.
join-check-closed = Permintaan bergabung ini sudah ditutup.
join-approved = Selamat datang di { $chat }! 🎉
join-coupon = Ini hadiah selamat datang untuk Anda: { $benefit } dengan kode { $code }. Kode sudah ada di keranjang Anda: kirim /shop untuk memakainya.
join-declined = Maaf, jawabannya kurang tepat, jadi kami belum bisa menambahkan Anda ke { $chat }. Anda bisa meminta bergabung lagi.
join-timed-out = Waktu untuk bergabung ke { $chat } sudah habis. Anda bisa meminta bergabung lagi kapan saja.
join-review = Hai { $name }! Permintaan Anda untuk bergabung ke { $chat } akan ditinjau oleh tim kami. Mohon tunggu keputusannya.
join-declined-staff = Maaf, permintaan Anda untuk bergabung ke { $chat } tidak disetujui.
join-review-staff = 🙋 { $person } meminta bergabung ke { $chat }.
join-review-staff-member = 🙋 { $person } bergabung ke { $chat } dan tidak bisa mengirim pesan sampai Anda memutuskan.
join-review-approve = ✅ Setujui
join-review-decline = ❌ Tolak
join-review-approved = ✅ { $person } di { $chat }: disetujui oleh { $staff }.
join-review-declined = ❌ { $person } di { $chat }: ditolak oleh { $staff }.
join-review-decided = Ini sudah diputuskan.
group-check-button = Selamat datang, { $name }! Ketuk tombol di bawah dalam { $minutes } menit agar bisa mengirim pesan di sini.
group-check-question = Selamat datang, { $name }! Jawab dalam { $minutes } menit agar bisa mengirim pesan di sini:
group-check-not-yours = Verifikasi ini untuk orang lain.
group-check-closed = Verifikasi ini sudah ditutup.

## Flash sales
flash-sale-title = ⚡ Flash sale: { $product }
flash-sale-price = Harga promo: { $price }
flash-sale-price-was = Harga promo: { $price }, bukan { $was }
flash-sale-limit = Batas: { $count } per pelanggan
flash-sale-line-upcoming = ⏰ Mulai { $start } · hanya { $units } unit
flash-sale-line-running = 🔥 Sedang berlangsung: sisa { $left } dari { $units } · berakhir { $end }
flash-sale-line-sold-out = 🚫 Habis terjual
flash-sale-line-ended = ⌛ Flash sale ini sudah berakhir.
flash-sale-line-cancelled = Flash sale ini dibatalkan.
flash-sale-remind-button = 🔔 Ingatkan saya
flash-sale-early-access = ⭐ Akses awal: tingkat keanggotaan Anda memungkinkan membeli sekarang, sebelum obral dibuka untuk semua.
flash-sale-open-button = 🛒 Beli di bot
flash-sale-buy-button = 🛒 Beli sekarang · { $price }
flash-sale-started = ⚡ Flash sale yang Anda tunggu sudah dimulai!
flash-sale-reminder-set = 🔔 Beres! Kami akan mengabari Anda saat promo dimulai.
flash-sale-reminder-already = Anda sudah terdaftar: kami akan mengabari Anda saat promo dimulai.
flash-sale-start-bot = Mulai bot dulu agar kami bisa mengirim pesan, lalu ketuk “Ingatkan saya” lagi.
flash-sale-on-now = Promo sedang berlangsung: ketuk “Beli sekarang” di bot.
flash-sale-unknown = Maaf, flash sale ini tidak ada.
flash-sale-cancelled = Maaf, flash sale ini dibatalkan.
flash-sale-not-started = ⏰ Belum dimulai! Promo mulai { $start }.
flash-sale-ended = ⌛ Maaf, flash sale ini sudah berakhir.
flash-sale-sold-out = 😔 Habis! Semua unit sudah terjual. Unit dari pesanan yang belum dibayar kembali setelah { $minutes } menit: coba lagi nanti.
flash-sale-limit-reached = Anda sudah punya { $count } dari promo ini, jumlah maksimal per pelanggan.
flash-sale-got-it = 🎉 Anda dapat! Bayar tagihannya dalam { $minutes } menit agar tidak hangus.

## Giveaways

giveaway-announcement =
    🎁 Giveaway: { $prize }
    { $winners } pemenang, diundi pada { $ends }. Ketuk tombol untuk ikut!
    Undian adil: SHA-256 dari seed rahasia kami adalah { $commitment }; seed diumumkan bersama hasilnya.
giveaway-join = 🎁 Ikut
giveaway-entered = Anda sudah ikut! Nomor Anda #{ $number }. Mulai chat dengan saya agar saya bisa mengabari jika Anda menang.
giveaway-already-in = Anda sudah ikut, dengan nomor #{ $number }.
giveaway-closed = Giveaway ini sudah selesai.
giveaway-won = 🎉 Anda memenangkan giveaway: { $prize }!
giveaway-prize-code = Kode hadiah Anda { $code }; sudah ada di keranjang Anda.
giveaway-no-entries = tidak ada yang ikut
giveaway-result =
    🎁 Hasil giveaway: { $prize }
    Pemenang: { $winners }
    Peserta: { $entries }
    Seed: { $seed } (SHA-256-nya { $commitment }, sesuai pengumuman). Nomor n mendapat SHA-256("seed:n"); yang terkecil menang.
giveaway-requires = Untuk menang, jadilah anggota { $chats } saat undian.
giveaway-skipped = Dilewati (bukan anggota chat yang disyaratkan saat undian): { $entries }

## Referrals
cmd-invite = Undang teman
invite =
    🎁 Undang teman dan dapatkan hadiah!
    Tautan pribadi Anda: { $link }

    Mulai: { $starts } · Pelanggan baru: { $joins } · Pesanan pertama: { $orders } · Hadiah: { $rewards }

    Anda mendapat hadiah saat teman yang baru di sini membayar pesanan pertamanya.
invite-share = 📤 Bagikan
invite-share-text = Ayo belanja bersama saya di sini!
referral-self = Itu tautan undangan Anda sendiri: bagikan ke teman untuk mendapatkan hadiah.
referral-welcome = 🎁 Selamat datang! Seorang teman mengundang Anda. Kode sambutan { $code } sudah ada di keranjang Anda.
referral-rewarded = 🎉 Teman yang Anda undang baru saja membayar pesanan pertamanya. Kode hadiah Anda: { $code }

## Group-buys
group-buy-offer =
    👥 Beli bareng: { $product }
    Kumpulkan { $size } orang dan masing-masing bayar { $price } (normal { $was }).
    Tim punya waktu { $hours } jam untuk penuh; jika tidak, semua dana dikembalikan.
group-buy-open-button = 👥 Buat tim · { $price }
group-buy-team = 👥 Beli bareng: { $product } seharga { $price } (normal { $was })
group-buy-progress = { $members }/{ $size } bergabung · { $paid } sudah bayar · sisa { $hours } jam
group-buy-line-full = ✅ Tim sudah penuh: semua { $size } pesanan diproses.
group-buy-line-failed = ⌛ Tim ini ditutup: jumlah peserta tidak cukup tepat waktu.
group-buy-join-button = 👥 Gabung tim
group-buy-join-price-button = 👥 Gabung · { $price }
group-buy-share-button = 📤 Ajak teman
group-buy-share-text = Gabung tim beli bareng saya dan kita semua dapat harga grup!
group-buy-unknown = Maaf, beli bareng ini tidak ada.
group-buy-offer-ended = Maaf, penawaran beli bareng ini sudah berakhir.
group-buy-no-stock = 😔 Stok tidak cukup untuk tim baru. Gabung tim yang masih terbuka atau coba lagi nanti.
group-buy-team-closed = Maaf, tim ini sudah ditutup.
group-buy-no-place = Maaf, semua tempat di tim ini sudah terisi. Buat tim sendiri!
group-buy-already-member = Kamu sudah ada di tim ini.
group-buy-placed = 👥 Tempatmu sudah disimpan: bayar tagihan dalam { $minutes } menit agar tidak hilang.
group-buy-complete = 🎉 Tim beli bareng kamu sudah penuh! Pesanan { $order } diproses dengan harga grup.
group-buy-failed = ⌛ Tim beli bareng kamu tidak penuh tepat waktu. Pesanan { $order } ditutup dan pembayaran dikembalikan.
group-buy-offer-reserve =
    👥 Beli bareng: { $product }
    Kumpulkan { $size } orang dan masing-masing bayar { $price } (normal { $was }).
    Pesan tempat sekarang dan bayar saat tim penuh; tim punya waktu { $hours } jam untuk penuh.
group-buy-reserved = 👥 Tempatmu sudah dipesan. Kami akan mengirim tagihan saat tim penuh.
group-buy-complete-pay = 🎉 Tim beli bareng kamu sudah penuh! Bayar { $price } untuk pesanan { $order } dalam { $minutes } menit agar tempatmu tidak hilang.
group-buy-full-price = ⌛ Tim beli bareng kamu tidak penuh tepat waktu. Kamu masih bisa membeli pesanan { $order } dengan harga normal, { $price }: bayar dalam { $minutes } menit, atau biarkan kedaluwarsa.

## Moderation
moderation-rule-words = kata yang tidak diizinkan di sini
moderation-rule-links = tautan ke situs lain tidak diizinkan di sini
moderation-rule-flood = terlalu banyak pesan
moderation-warned = ⚠️ { $name }, peringatan { $count } dari { $limit }: { $reason }.
moderation-muted = 🔇 { $name } dibisukan selama { $hours } jam: { $reason }.
moderation-banned = ⛔ { $name } dikeluarkan dari grup: { $reason }.
moderation-rule-forwards = meneruskan pesan dari kanal lain tidak diizinkan di sini
moderation-rule-media = jenis media ini tidak diizinkan di sini
moderation-rule-bot_mentions = menyebut bot lain tidak diizinkan di sini
moderation-rule-staff = oleh moderator
moderation-muted-minutes = 🔇 { $name } dibisukan selama { $minutes } menit: { $reason }.
moderation-unmuted = 🔊 { $name } boleh menulis lagi.
moderation-unbanned = ✅ { $name } boleh bergabung lagi ke grup.
moderation-command-usage = Balas sebuah pesan dengan /warn, /mute 30m (atau 1h, 1d) atau /ban, boleh dengan alasan; /unmute dan /unban juga menerima id pengguna.
appeal-usage = Tulis bandingmu setelah perintah, misalnya: /appeal Saya hanya membagikan tautan pelacakan pesanan saya.
appeal-nothing = Kamu tidak sedang dibisukan atau diblokir di grup kami.
appeal-unavailable = Banding tidak bisa dikirim di sini; silakan hubungi admin grup.
appeal-sent = Bandingmu tentang { $chat } sudah dikirim ke tim. Jawabannya akan dikirim di sini.
appeal-staff = 📨 Banding dari { $name } (id { $user }) di { $chat } ({ $reason }): { $text }
appeal-button-lift = ✅ Cabut
appeal-button-keep = ❌ Pertahankan
appeal-reason = banding diterima
appeal-decided = Banding ini sudah diputuskan.
appeal-lifted-staff = ✅ Banding { $name } (id { $user }) di { $chat }: dicabut oleh { $staff }.
appeal-kept-staff = ❌ Banding { $name } (id { $user }) di { $chat }: dipertahankan oleh { $staff }.
appeal-lifted = Bandingmu tentang { $chat } diterima: pembatasan dicabut.
appeal-kept = Bandingmu tentang { $chat } sudah ditinjau: pembatasan tetap berlaku.
raid-alert = 🚨 Serbuan anggota di “{ $chat }”: { $joins } bergabung dalam { $seconds } dtk. Yang meminta bergabung mendapat pemeriksaan lebih ketat selama { $minutes } menit.
staff-chat-rights = ⚠️ Bot butuh izin tambahan di “{ $chat }”: { $rights }. Buka pengaturan admin chat untuk memperbaikinya.
right-admin = jadikan admin
right-invite = izinkan mengundang pengguna (tautan undangan dan permintaan bergabung)
right-delete = izinkan menghapus pesan (moderasi)
right-restrict = izinkan memblokir pengguna (bisukan dan keluarkan)

## Settings
cmd-settings = Pengaturan Anda
settings-marketing-on = Kabar dan penawaran: aktif. Anda bisa menghentikannya di sini kapan saja.
settings-marketing-off = Kabar dan penawaran: nonaktif. Info pesanan dan pengiriman tetap kami kirim.
settings-stop-marketing = Hentikan kabar dan penawaran
settings-allow-marketing = Kirimi saya kabar dan penawaran
marketing-stopped = Selesai: kami tidak akan mengirim kabar dan penawaran lagi. Info pesanan dan pengiriman tetap kami kirim.
marketing-allowed = Selesai: Anda akan menerima kabar dan penawaran kami. Hentikan kapan saja dengan /settings.

## Privacy: what is stored, export and erasure
privacy-overview =
    Data Anda pada kami:
    • nama, username, dan bahasa Telegram Anda, untuk berbicara dengan Anda;
    • pesanan, alamat, dan pembayaran Anda, untuk pengiriman dan pembukuan;
    • pesan yang Anda kirim ke bot ini, untuk menjawab Anda;
    • pilihan Anda di bawah, sebagai bukti persetujuan Anda.
    Kami tidak pernah menjual data Anda.

    Versi kebijakan yang Anda setujui: { $version }
    Kabar dan penawaran: { $marketing }
privacy-none = belum ada
privacy-on = aktif
privacy-off = nonaktif
privacy-button-choices = Ubah pilihan saya
privacy-button-export = 📦 Ekspor data saya
privacy-button-erase = 🗑 Hapus data saya
privacy-erase-confirm =
    Hapus semua data Anda? Profil, alamat, pesan, dan pilihan Anda akan dihapus dan kami tidak akan mengirim pesan lagi. Pesanan tetap di pembukuan kami tanpa nama Anda, sesuai hukum akuntansi. Ini tidak bisa dibatalkan.
privacy-erase-yes = Ya, hapus semuanya
privacy-erase-no = Tidak, simpan
privacy-erased = Data Anda telah dihapus. Ini pesan terakhir dari kami. Sampai jumpa!
privacy-kept = Tidak ada yang dihapus.
privacy-export-preparing = Sedang menyiapkan data Anda. Berkasnya akan tiba di sini dalam beberapa menit.
privacy-export-caption = Data Anda: { $orders } pesanan, { $messages } pesan, { $events } catatan aktivitas, { $consents } catatan persetujuan, { $referrals } referal, { $tags } tag. Berkas terlampir berisi semuanya dalam JSON.

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = Bicara dengan petugas
faq-button-helpful = 👍 Membantu
faq-button-not-helpful = 👎 Tidak membantu
faq-thanks = Terima kasih sudah memberi tahu kami!
support-button-agent = 🙋 Bicara dengan petugas
support-did-you-mean = Saya kurang yakin memahami maksud Anda. Apakah maksud Anda salah satu dari ini?
support-offer-agent = Maaf, jawaban tadi belum membantu. Apakah Anda ingin bicara dengan petugas kami?
support-no-agents = Maaf, saat ini belum ada anggota tim kami yang bisa menjawab pertanyaan di sini. Silakan coba /help.
support-media-needs-ticket = Untuk mengirim foto atau berkas kepada kami, ketuk /agent terlebih dahulu, lalu kirimkan.
support-ticket-opened = Pertanyaan Anda sudah saya teruskan ke tim kami (tiket #{ $ticket }). Petugas kami akan membalas Anda langsung di sini. Apa pun yang Anda kirim sekarang juga akan diteruskan ke mereka.
support-ticket-continues = Percakapan Anda #{ $ticket } sudah ada di tim kami; apa pun yang Anda kirim akan diteruskan ke mereka.
support-outside-hours = Tim kami sedang tidak bertugas dan akan kembali pada { $time } ({ $zone }). Kami akan menjawab saat itu.
support-resolved = Pertanyaan Anda #{ $ticket } sudah ditandai selesai. Seberapa puas Anda dengan bantuan kami?
support-nps-question = Seberapa besar kemungkinan Anda merekomendasikan kami kepada teman? (0 = sama sekali tidak, 10 = sangat mungkin)
support-rating-thanks = Terima kasih atas masukan Anda!

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 Tiket #{ $ticket } · { $topic } · prioritas { $priority }
    Pelanggan: { $name } ({ $username }), bahasa { $language }
support-no-orders = Belum ada pesanan.
support-agent-help = Balas di sini untuk menjawab pelanggan. Pesan yang diawali // (atau /note) adalah catatan internal. Perintah: /resolve, /close, /assign, /priority low|normal|high, /transfer GRUP, /canned NAMA, /tr TEKS (dikirim terjemahannya).
support-ticket-not-active = Tiket #{ $ticket } sudah tidak terbuka: tidak ada yang dikirim ke pelanggan.
support-resolved-by = ✅ Diselesaikan oleh { $agent }. Pelanggan sudah diminta menilai bantuan kami.
support-closed-by = Ditutup oleh { $agent }.
support-assigned = Ditugaskan kepada { $agent }.
support-priority-usage = Gunakan /priority low, /priority normal, atau /priority high.
support-priority-set = Prioritas diubah menjadi { $priority }; target waktu sudah dihitung ulang.
support-transfer-usage = Gunakan /transfer GRUP dengan salah satu dari: { $groups }
support-transferred = ➡️ Dialihkan ke { $group }.
support-history = Percakapan sejauh ini (dari { $group }):
support-canned-unknown = Tidak ada balasan siap pakai bernama “{ $name }”.
support-unassigned = belum ada
support-target-first-response = respons pertama
support-target-resolution = penyelesaian
support-sla-warning = ⏰ Tiket #{ $ticket } ({ $assignee }): target { $target } jatuh tempo dalam { $minutes } menit.
support-sla-breach = 🚨 SLA terlampaui: tiket #{ $ticket } di { $group } melewati target { $target } (penanggung jawab: { $assignee }).
support-translation-unavailable = 🌐 (terjemahan tidak tersedia)
support-translation-off = Terjemahan belum diatur untuk grup ini: minta admin mengatur penerjemah dan bahasa translate_to grup ini.
anomaly-header = 📉 Minggu ini dibandingkan minggu lalu:
anomaly-chat-activity = { $chat }: aktivitas turun { $drop }% ({ $baseline } → { $current } pembaruan)
anomaly-chat-joins = { $chat }: anggota baru turun { $drop }% ({ $baseline } → { $current })
anomaly-paid-orders = Pesanan terbayar turun { $drop }% ({ $baseline } → { $current })
anomaly-conversion = Konversi (pesanan terbayar per obrolan dimulai) turun { $drop }%: { $baseline } → { $current }
anomaly-failed-sends = { $failed } pesan gagal terkirim dalam sehari terakhir ({ $share } dari pengiriman). Periksa akses bot dan pesan yang gagal.

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = tidak aktif selama { $days } hari
purge-reason-flagged = ditandai moderasi (peringatan atau bisu)

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = Member
tier-name-silver = Silver
tier-name-gold = Gold
tier-name-black = Black
tier-up = 🎉 Selamat! Sekarang kamu { $tier }. Keuntunganmu:
tier-down = Tingkat keanggotaanmu sekarang { $tier }. Terima kasih sudah berbelanja.
tier-benefit-discount = Diskon { $percent }% untuk setiap pesanan
tier-benefit-free-shipping = Gratis ongkir
tier-benefit-early-access = Flash sale { $minutes } menit lebih awal dari yang lain
join-declined-tier = Maaf, { $chat } khusus anggota { $tier } ke atas, jadi kami belum bisa menambahkanmu. Belanja terus untuk mencapai { $tier }!
purge-reason-below-tier = di bawah tingkat keanggotaan grup selama lebih dari { $days } hari

# Poin loyalitas (/checkin, /points, hadiah)
cmd-checkin = Check-in harian untuk poin
cmd-points = Poin dan hadiah Anda
points-checkin = ✅ Check-in berhasil! +{ $points } poin (hari ke-{ $streak } berturut-turut). Saldo Anda: { $balance } poin.
points-checkin-already = Anda sudah check-in hari ini (hari ke-{ $streak } berturut-turut). Kembali lagi besok! Saldo Anda: { $balance } poin.
points-balance = ⭐ Anda punya { $balance } poin. Dapatkan lebih banyak dengan berbelanja dan /checkin setiap hari.
points-balance-rewards = ⭐ Anda punya { $balance } poin. Ketuk hadiah untuk menukarnya:
points-reward-button = { $benefit } seharga { $points } poin
points-redeemed = 🎉 Berhasil! { $points } poin terpakai. Kode { $code } sudah ada di keranjang Anda: kirim /shop untuk memakainya. Sisa poin: { $balance }.
points-not-enough = Maaf, hadiah itu butuh { $needed } poin dan Anda punya { $balance }. Terus belanja dan check-in!

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = Bagikan nomor telepon Anda
settings-share-phone = 📱 Bagikan nomor saya
phone-ask = Ketuk tombol di bawah untuk membagikan nomor telepon Anda. Jika Anda pernah berbelanja di toko kami, pembelian sebelumnya akan kami tautkan ke akun ini.
phone-button = 📱 Bagikan nomor saya
phone-verified = Terima kasih! Nomor telepon Anda sudah terverifikasi.
phone-not-yours = Itu kontak orang lain. Silakan bagikan nomor Anda sendiri dengan tombol di bawah.
phone-invalid = Maaf, nomor telepon itu tidak terbaca. Silakan coba tombolnya lagi.
import-linked = Selamat datang kembali! Pembelian Anda sebelumnya di toko kami kini tertaut ke akun ini.
claim-unknown = Maaf, tautan ini tidak berlaku. Silakan buka tautan lengkap dari email Anda.
claim-used = Tautan ini sudah pernah dipakai. Jika menurut Anda ini keliru, kirim /agent.
claim-already-yours = Tautan ini sudah tertaut ke akun Anda. Tidak perlu melakukan apa-apa lagi!
cmd-birthday = Bagikan tanggal lahir Anda untuk kejutan
birthday-saved = 🎂 Terima kasih! Tanggal lahir Anda tersimpan: { $date }. Kirim /birthday clear untuk menghapusnya.
birthday-cleared = Tanggal lahir Anda sudah dihapus.
birthday-current = Tanggal lahir Anda tersimpan sebagai { $date }. Kirim /birthday dengan tanggal baru untuk mengubahnya, atau /birthday clear untuk menghapusnya.
birthday-usage = Beri tahu kami tanggal lahir Anda dan kami akan ikut merayakannya: kirim /birthday dengan tanggal dan bulan, misalnya /birthday 14.03
birthday-invalid = Maaf, tanggal itu tidak dapat dibaca. Kirim tanggal dan bulan, misalnya /birthday 14.03 atau /birthday 03-14.
automation-welcome-1 = Hai { $name }, selamat datang! Ketuk /shop untuk melihat yang baru, dan kirim /agent kapan pun Anda butuh bantuan.
automation-welcome-2 = { $name }, sudah menemukan yang Anda suka? Produk terbaru kami menunggu di /shop.
automation-abandoned-cart = { $name }, ada barang yang tertinggal di keranjang Anda. Barangnya masih menunggu!
automation-cart-button = 🛒 Lihat keranjang
automation-review-request = { $name }, bagaimana pesanan #{ $order } Anda? Balas pesan ini dan ceritakan kepada kami; kami membaca setiap jawaban.
automation-birthday = 🎂 Selamat ulang tahun, { $name }! Terima kasih sudah bersama kami.
automation-win-back = Kami merindukan Anda, { $name }! Dapatkan diskon { $percent }% untuk pesanan berikutnya dengan kode { $code }, berlaku { $days } hari.
automation-win-back-plain = Kami merindukan Anda, { $name }! Yuk lihat yang baru di /shop.
automation-win-back-code = Kode Anda: { $code }
automation-restock = Kabar baik, { $name }: { $product } sudah tersedia lagi!
automation-restock-button = Lihat produk
automation-notify-me = 🔔 Kabari saya
automation-notify-saved = Kami akan mengabari Anda saat stoknya tersedia lagi.
automation-notify-in-stock = Kabar baik: stoknya sudah ada lagi. Buka produknya untuk membeli.
