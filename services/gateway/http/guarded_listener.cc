// The gateway's HTTP listener on Boost.Beast (see guarded_listener.h).
//
// One I/O thread runs every socket operation (accept, TLS handshake, reads, writes, timers);
// a session is owned by the operations pending on it (shared_ptr), so a connection that has
// nothing pending is gone. Complete requests go to the workers (server::BoundedWorkers), which
// post the serialized answer back to the I/O thread, or to the inline handler, whose answer
// comes back the same way from whichever thread finished it.
#include "services/gateway/http/guarded_listener.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/bounded_workers.h"

namespace maillage::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// "HTTP/1.1 200 OK" and the headers of `response`; the body unless `head`.
std::string Serialize(const HttpResponse& response, bool keep_alive, bool head) {
  std::string out = absl::StrCat(
      "HTTP/1.1 ", response.status, " ",
      std::string(http::obsolete_reason(static_cast<http::status>(response.status))), "\r\n");
  for (const auto& [name, value] : response.headers)
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  if (!response.content_type.empty()) {
    absl::StrAppend(&out, "Content-Type: ", response.content_type, "\r\n");
  }
  const bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
  if (response.stream) {
    absl::StrAppend(&out, "Transfer-Encoding: chunked\r\n");
  } else if (!no_body) {
    absl::StrAppend(&out, "Content-Length: ", response.body.size(), "\r\n");
  }
  if (!keep_alive) absl::StrAppend(&out, "Connection: close\r\n");
  absl::StrAppend(&out, "\r\n");
  if (!head && !response.stream && !no_body) out += response.body;
  return out;
}

// What identifies a version of a file: a change of any of these is a new version.
struct FileStamp {
  int64_t mtime_ns = 0, size = 0, inode = 0;
  bool operator==(const FileStamp& o) const {
    return mtime_ns == o.mtime_ns && size == o.size && inode == o.inode;
  }
};
FileStamp StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_ino)};
}

absl::StatusOr<std::shared_ptr<asio::ssl::context>> LoadTls(const std::string& cert_file,
                                                            const std::string& key_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot load the TLS certificate ", cert_file, ": ", ec.message()));
  }
  context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot load the TLS key ", key_file, ": ", ec.message()));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the TLS key ", key_file, " does not match the certificate ", cert_file));
  }
  return context;
}

}  // namespace

class GuardedListener::Impl {
 public:
  Impl(HttpHandler handler, GuardedListenerOptions options)
      : handler_(std::move(handler)),
        options_(std::move(options)),
        workers_({options_.threads, options_.max_queued}) {}

  ~Impl() { Stop(std::chrono::seconds(0)); }

  absl::StatusOr<int> Start(const std::string& host, int port);
  void Stop(std::chrono::milliseconds drain);

  class SessionBase {
   public:
    virtual ~SessionBase() = default;
    virtual void CloseIfIdle() = 0;
  };
  template <class Stream>
  class Session;

  // Connection accounting (any thread).
  void Release(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
    stats_.connections_open.fetch_sub(1);
  }
  HttpResponse ErrorResponse(int status) const {
    HttpResponse response;
    response.status = status;
    if (options_.error_body) {
      auto [body, type] = options_.error_body(status);
      response.set_content(std::move(body), std::move(type));
    }
    if (status == 503) response.set_header("Retry-After", "1");
    return response;
  }

  void Accept();
  void OnAccept(tcp::socket socket);
  void CheckTlsFiles();

  // Declared first, destroyed last: sessions destroyed with the I/O context still count out.
  std::mutex mu_;
  std::map<std::string, size_t> per_address_;
  std::map<SessionBase*, std::weak_ptr<SessionBase>> sessions_;
  GuardedListenerStats stats_;
  std::atomic<int64_t> in_progress_{0};
  std::atomic<bool> stopping_{false};

  const HttpHandler handler_;
  const GuardedListenerOptions options_;
  std::string refusal_;  // the 503 sent to a connection over a limit (plain HTTP)
  std::shared_ptr<asio::ssl::context> tls_;  // I/O thread only, after Start
  FileStamp cert_stamp_, key_stamp_;
  Clock::time_point tls_checked_;

  asio::io_context ioc_{1};
  // Keeps run() going while no operation is pending (a worker about to post an answer).
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  tcp::acceptor acceptor_{ioc_};
  std::thread io_thread_;
  bool started_ = false, stopped_ = false;
  server::BoundedWorkers workers_;  // last: joined first
};

template <class Stream>
class GuardedListener::Impl::Session : public SessionBase,
                                       public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(Impl& impl, tcp::socket socket, std::string address,
          std::shared_ptr<asio::ssl::context> tls)
      : impl_(impl),
        tls_(std::move(tls)),
        stream_(MakeStream(std::move(socket))),
        address_(std::move(address)) {}
  ~Session() override {
    {
      std::lock_guard<std::mutex> lock(impl_.mu_);
      impl_.sessions_.erase(this);
    }
    if (in_progress_) impl_.in_progress_.fetch_sub(1);
    impl_.Release(address_);
  }

  void Run() {
    {
      std::lock_guard<std::mutex> lock(impl_.mu_);
      impl_.sessions_[this] = this->shared_from_this();
    }
    if constexpr (kTls) {
      Lowest().expires_after(impl_.options_.header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Failed(ec);
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void CloseIfIdle() override {
    if (!in_progress_) {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      Lowest().cancel();
    }
  }

  // A worker's chunks: each written on the I/O thread, the worker waiting for it.
  class Sink final : public ChunkSink {
   public:
    explicit Sink(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    bool Write(absl::string_view chunk) override {
      if (chunk.empty()) return true;
      bytes_ += chunk.size();
      char size[32];
      std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
      return session_->WriteAndWait(absl::StrCat(size, chunk, "\r\n"));
    }
    size_t bytes() const { return bytes_; }

   private:
    std::shared_ptr<Session> session_;
    size_t bytes_ = 0;
  };

 private:
  Stream MakeStream(tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *tls_);
    } else {
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Failed(beast::error_code ec) {
    if (ec == beast::error::timeout) impl_.stats_.timed_out.fetch_add(1);
    // Nothing pending any more: the session goes, and its socket with it.
  }

  void ReadHeader() {
    if (impl_.stopping_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(impl_.options_.max_header_bytes));
    // The upload limit until the header says whether this request is an upload (OnHeader).
    parser_->body_limit(std::max(impl_.options_.max_body_bytes, impl_.options_.max_upload_bytes));
    upload_limit_ = 0;
    Lowest().expires_after(first_ ? impl_.options_.header_timeout
                                  : impl_.options_.keep_alive_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == http::error::header_limit) return Answer(431);
    if (ec == http::error::body_limit) return Answer(413);
    if (ec && ec.category() == beast::error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Answer(400);  // a malformed request
    }
    if (ec) return Failed(ec);  // closed, reset, or too slow
    in_progress_ = true;
    impl_.in_progress_.fetch_add(1);
    if (parser_->get().target().size() > impl_.options_.max_target_bytes) return Answer(414);
    if (impl_.options_.upload_limit) upload_limit_ = impl_.options_.upload_limit(Head());
    if (upload_limit_ > 0) {
      if (static_cast<size_t>(impl_.stats_.uploads_in_progress.load()) >=
          impl_.options_.max_uploads) {
        impl_.stats_.saturated.fetch_add(1);
        return Answer(503);
      }
      parser_->body_limit(upload_limit_);  // a longer Content-Length: the handler answers 413
    } else {
      const auto length = parser_->content_length();
      if (length.has_value() && *length > impl_.options_.max_body_bytes) return Answer(413);
      parser_->body_limit(impl_.options_.max_body_bytes);
    }
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      Lowest().expires_after(impl_.options_.write_timeout);
      asio::async_write(stream_, asio::buffer(out_),
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Failed(ec);
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done() || upload_limit_ > 0) return Dispatch();
    Lowest().expires_after(impl_.options_.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec == http::error::body_limit) return self->Answer(413);
                       if (ec) return self->Failed(ec);
                       self->Dispatch();
                     });
  }

  // The method, target and headers of the request being read.
  HttpRequest Head() const {
    const auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.client_address = address_;
    request.tls = kTls;
    return request;
  }

  void Dispatch() {
    HttpRequest request = Head();
    keep_alive_ = parser_->get().keep_alive() && !impl_.stopping_;
    head_ = parser_->get().method() == http::verb::head;
    std::shared_ptr<Source> source;
    if (upload_limit_ > 0) {  // the body is read by the handler (Source), as it arrives
      source = std::make_shared<Source>(this->shared_from_this(),
                                        Clock::now() + impl_.options_.upload_timeout);
      impl_.stats_.uploads_in_progress.fetch_add(1);
    } else {
      request.body = std::move(parser_->get().body());
    }
    Lowest().expires_never();
    auto self = this->shared_from_this();
    auto shared_request = std::make_shared<HttpRequest>(std::move(request));
    shared_request->body_source = source.get();
    if (source == nullptr && impl_.options_.inline_handler &&
        impl_.options_.inline_handler(shared_request, [self, shared_request](HttpResponse answer) {
          self->AnswerLater(*shared_request, answer);
        })) {
      return;
    }
    if (!impl_.workers_.Submit([self, shared_request, source] {
          self->Work(*shared_request);
          if (source != nullptr) self->impl_.stats_.uploads_in_progress.fetch_sub(1);
        })) {
      if (source != nullptr) impl_.stats_.uploads_in_progress.fetch_sub(1);
      keep_alive_ = keep_alive_ && source == nullptr;
      impl_.stats_.saturated.fetch_add(1);
      HttpResponse busy = impl_.ErrorResponse(503);
      if (impl_.options_.on_answered) impl_.options_.on_answered(*shared_request, busy, 0);
      Write(Serialize(busy, keep_alive_, head_), !keep_alive_);
    }
  }

  // On a worker.
  void Work(const HttpRequest& request) {
    HttpResponse response;
    impl_.handler_(request, response);
    // The rest of an upload the handler did not read would be taken for the next request.
    if (request.body_source != nullptr &&
        !static_cast<const Source*>(request.body_source)->complete()) {
      keep_alive_ = false;
    }
    auto self = this->shared_from_this();
    if (!response.stream) {
      PostAnswer(response);
      if (impl_.options_.on_answered) impl_.options_.on_answered(request, response, 0);
      return;
    }
    bool ok = WriteAndWait(Serialize(response, keep_alive_, head_));
    Sink sink(self);
    ok = ok && response.stream(sink);
    ok = ok && WriteAndWait("0\r\n\r\n");
    const bool keep = ok && keep_alive_;
    asio::post(Lowest().get_executor(), [self, keep] { self->AfterAnswer(keep); });
    if (impl_.options_.on_answered) impl_.options_.on_answered(request, response, sink.bytes());
  }

  // From any thread: the answer of a request the inline handler took. Logged first: nothing of
  // the request runs once its answer may be written (Stop waits for the answers only).
  void AnswerLater(const HttpRequest& request, const HttpResponse& response) {
    if (impl_.options_.on_answered) impl_.options_.on_answered(request, response, 0);
    PostAnswer(response);
  }

  // From a worker or a thread answering later: a whole answer, written on the I/O thread.
  void PostAnswer(const HttpResponse& response) {
    auto self = this->shared_from_this();
    std::string out = Serialize(response, keep_alive_, head_);
    const std::chrono::milliseconds delay = response.delay;
    asio::post(Lowest().get_executor(), [self, out = std::move(out), delay]() mutable {
      if (delay.count() <= 0) return self->Write(std::move(out), !self->keep_alive_);
      // Held back on a timer: the connection waits, no worker does.
      self->delay_.expires_after(delay);
      self->delay_.async_wait([self, out = std::move(out)](beast::error_code) mutable {
        self->Write(std::move(out), !self->keep_alive_);
      });
    });
  }

  // On a worker: writes `bytes` on the I/O thread and waits; false when it failed.
  bool WriteAndWait(std::string bytes) {
    auto done = std::make_shared<std::promise<bool>>();
    std::future<bool> written = done->get_future();
    auto self = this->shared_from_this();
    asio::post(Lowest().get_executor(), [self, done, bytes = std::move(bytes)]() mutable {
      self->out_ = std::move(bytes);
      self->Lowest().expires_after(self->impl_.options_.write_timeout);
      asio::async_write(self->stream_, asio::buffer(self->out_),
                        [self, done](beast::error_code ec, size_t) {
                          if (ec == beast::error::timeout)
                            self->impl_.stats_.timed_out.fetch_add(1);
                          done->set_value(!ec);
                        });
    });
    // The I/O thread may be stopped (Stop after its drain time): never wait past the timeout.
    if (written.wait_for(impl_.options_.write_timeout + std::chrono::seconds(1)) !=
        std::future_status::ready) {
      return false;
    }
    return written.get();
  }

  // An upload's body, read by the worker: each read is done on the I/O thread, the worker
  // waiting for it (within body_timeout, and the whole body before `until`).
  class Source final : public BodySource {
   public:
    Source(std::shared_ptr<Session> session, Clock::time_point until)
        : session_(std::move(session)), until_(until) {}
    Outcome Read(std::string& chunk) override {
      chunk.clear();
      while (last_ == Outcome::kChunk && chunk.empty()) {
        auto done = std::make_shared<std::promise<Outcome>>();
        std::future<Outcome> read = done->get_future();
        auto session = session_;
        const Clock::time_point until = until_;
        asio::post(session->Lowest().get_executor(),
                   [session, done, until] { session->ReadSome(until, done); });
        if (read.wait_for(session->impl_.options_.body_timeout + std::chrono::seconds(1)) !=
            std::future_status::ready) {
          last_ = Outcome::kFailed;  // the I/O thread is stopped
          break;
        }
        const Outcome outcome = read.get();
        if (outcome == Outcome::kChunk) {
          chunk.swap(session->upload_chunk_);  // written by ReadSome before `done`
        } else {
          last_ = outcome;
        }
      }
      return chunk.empty() ? last_ : Outcome::kChunk;
    }
    bool complete() const { return last_ == Outcome::kEnd; }

   private:
    std::shared_ptr<Session> session_;
    const Clock::time_point until_;
    Outcome last_ = Outcome::kChunk;
  };

  // On the I/O thread: the next bytes of an upload into upload_chunk_.
  void ReadSome(Clock::time_point until, std::shared_ptr<std::promise<BodySource::Outcome>> done) {
    using Outcome = BodySource::Outcome;
    if (parser_->is_done()) return done->set_value(Outcome::kEnd);
    const Clock::time_point now = Clock::now();
    if (now >= until) {
      impl_.stats_.timed_out.fetch_add(1);
      return done->set_value(Outcome::kFailed);
    }
    Lowest().expires_after(std::min<Clock::duration>(impl_.options_.body_timeout, until - now));
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = this->shared_from_this(), done](beast::error_code ec, size_t) {
                            if (ec == http::error::body_limit) {
                              return done->set_value(Outcome::kTooLarge);
                            }
                            if (ec) {
                              if (ec == beast::error::timeout) {
                                self->impl_.stats_.timed_out.fetch_add(1);
                              }
                              return done->set_value(Outcome::kFailed);
                            }
                            self->Lowest().expires_never();
                            self->upload_chunk_ = std::move(self->parser_->get().body());
                            self->parser_->get().body().clear();
                            done->set_value(Outcome::kChunk);
                          });
  }

  // An answer the listener makes itself; the connection closes after it unless keep-alive.
  void Answer(int status) {
    HttpResponse response = impl_.ErrorResponse(status);
    if (impl_.options_.on_answered) {
      HttpRequest request;
      if (parser_.has_value() && parser_->is_header_done()) {
        request.method = std::string(parser_->get().method_string());
        request.target = std::string(parser_->get().target().substr(0, 200));
      }
      request.client_address = address_;
      impl_.options_.on_answered(request, response, 0);
    }
    keep_alive_ = false;
    head_ = false;
    Write(Serialize(response, false, false), /*close=*/true);
  }

  void Write(std::string bytes, bool close) {
    out_ = std::move(bytes);
    Lowest().expires_after(impl_.options_.write_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this(), close](beast::error_code ec, size_t) {
                        if (ec) return self->Failed(ec);
                        self->AfterAnswer(!close);
                      });
  }

  void AfterAnswer(bool keep_alive) {
    if (in_progress_) {
      in_progress_ = false;
      impl_.in_progress_.fetch_sub(1);
    }
    if (keep_alive && !impl_.stopping_) {
      first_ = false;
      return ReadHeader();
    }
    Close();
  }

  // Closes gracefully: what the client still sends (the rest of a refused body) is read and
  // dropped for a moment, so that it gets the answer rather than a reset.
  void Close() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Lowest().expires_after(std::chrono::seconds(1));
      Drain();
    }
  }
  void Drain() {
    drained_.resize(16384);
    Lowest().async_read_some(asio::buffer(drained_),
                             [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                               self->drained_bytes_ += n;
                               if (!ec && self->drained_bytes_ < (16u << 20)) self->Drain();
                             });
  }

  Impl& impl_;
  std::shared_ptr<asio::ssl::context> tls_;  // before stream_, which refers to it
  Stream stream_;
  const std::string address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;
  std::string upload_chunk_;  // the bytes of an upload just read (ReadSome → Source::Read)
  size_t upload_limit_ = 0;   // non-zero: the request being read is an upload
  std::string drained_;
  asio::steady_timer delay_{stream_.get_executor()};
  size_t drained_bytes_ = 0;
  bool first_ = true;
  bool keep_alive_ = true;
  bool head_ = false;
  bool in_progress_ = false;  // a request read and not yet answered
};

absl::StatusOr<int> GuardedListener::Impl::Start(const std::string& host, int port) {
  if (started_) return absl::FailedPreconditionError("HTTP listener already started");
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return absl::InvalidArgumentError("HTTPS needs both a certificate file and a key file");
    }
    cert_stamp_ = StampOf(options_.tls_cert_file);
    key_stamp_ = StampOf(options_.tls_key_file);
    absl::StatusOr<std::shared_ptr<asio::ssl::context>> tls =
        LoadTls(options_.tls_cert_file, options_.tls_key_file);
    if (!tls.ok()) return tls.status();
    tls_ = *std::move(tls);
    tls_checked_ = Clock::now();
  }
  const HttpResponse refusal = ErrorResponse(503);
  refusal_ = Serialize(refusal, /*keep_alive=*/false, /*head=*/false);

  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("not an IP address: ", host));
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", host, ":", port, ": ", ec.message()));
  }
  const int bound = acceptor_.local_endpoint().port();
  started_ = true;
  Accept();
  io_thread_ = std::thread([this] { ioc_.run(); });
  return bound;
}

void GuardedListener::Impl::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (!ec) {
      OnAccept(std::move(socket));
      return Accept();
    }
    // Out of descriptors, or the like: try again shortly rather than spin.
    auto timer = std::make_shared<asio::steady_timer>(ioc_, std::chrono::milliseconds(50));
    timer->async_wait([this, timer](beast::error_code) {
      if (acceptor_.is_open()) Accept();
    });
  });
}

void GuardedListener::Impl::OnAccept(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;
  std::string address = remote.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  bool admitted = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t& count = per_address_[address];
    if (static_cast<size_t>(stats_.connections_open.load()) < options_.max_connections &&
        count < options_.max_connections_per_address) {
      ++count;
      stats_.connections_open.fetch_add(1);
      admitted = true;
    } else if (count == 0) {
      per_address_.erase(address);
    }
  }
  if (!admitted) {
    stats_.refused_connections.fetch_add(1);
    if (!tls_) {  // one try, never waiting: the answer fits in the socket's buffer
      socket.non_blocking(true, ec);
      socket.write_some(asio::buffer(refusal_), ec);
      socket.shutdown(tcp::socket::shutdown_send, ec);
    }
    socket.close(ec);
    return;
  }
  if (tls_) {
    CheckTlsFiles();
    auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        *this, std::move(socket), std::move(address), tls_);
    session->Run();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket),
                                                                std::move(address), nullptr);
    session->Run();
  }
}

void GuardedListener::Impl::CheckTlsFiles() {
  const Clock::time_point now = Clock::now();
  if (now - tls_checked_ < options_.tls_reload_interval) return;
  tls_checked_ = now;
  const FileStamp cert = StampOf(options_.tls_cert_file);
  const FileStamp key = StampOf(options_.tls_key_file);
  if (cert == cert_stamp_ && key == key_stamp_) return;
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> reloaded =
      LoadTls(options_.tls_cert_file, options_.tls_key_file);
  if (!reloaded.ok()) {  // perhaps half written: tried again at the next check
    log::Warn("TLS certificate not reloaded; the previous one stays in use",
              {{"error", std::string(reloaded.status().message())}});
    return;
  }
  cert_stamp_ = cert;
  key_stamp_ = key;
  tls_ = *std::move(reloaded);
  log::Info("TLS certificate reloaded", {{"cert_file", options_.tls_cert_file}});
}

void GuardedListener::Impl::Stop(std::chrono::milliseconds drain) {
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping_ = true;
  asio::post(ioc_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    std::vector<std::shared_ptr<SessionBase>> idle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [raw, weak] : sessions_) {
        if (auto session = weak.lock()) idle.push_back(std::move(session));
      }
    }
    for (auto& session : idle) session->CloseIfIdle();
  });
  const Clock::time_point until = Clock::now() + drain;
  while (in_progress_.load() > 0 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  work_.reset();
  ioc_.stop();
  io_thread_.join();
}

GuardedListener::GuardedListener(HttpHandler handler, GuardedListenerOptions options)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(options))) {}
GuardedListener::~GuardedListener() = default;
absl::StatusOr<int> GuardedListener::Start(const std::string& host, int port) {
  return impl_->Start(host, port);
}
void GuardedListener::Stop(std::chrono::milliseconds drain) { impl_->Stop(drain); }
const GuardedListenerStats& GuardedListener::stats() const { return impl_->stats_; }

}  // namespace maillage::gateway
