#include "services/gateway/webhooks/webhook_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace maillage::gateway {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlParts {
  std::string scheme;
  std::string host;  // without brackets
  std::string port;
};

absl::StatusOr<UrlParts> SplitUrl(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError("not a URL");
  }
  UrlParts parts;
  auto get = [&](CURLUPart part, std::string* out, unsigned flags) {
    char* value = nullptr;
    if (curl_url_get(handle.get(), part, &value, flags) != CURLUE_OK) return false;
    *out = value;
    curl_free(value);
    return true;
  };
  std::string user;
  if (get(CURLUPART_USER, &user, 0)) {
    return absl::InvalidArgumentError("a URL with credentials is refused");
  }
  if (!get(CURLUPART_SCHEME, &parts.scheme, 0) || !get(CURLUPART_HOST, &parts.host, 0) ||
      !get(CURLUPART_PORT, &parts.port, CURLU_DEFAULT_PORT)) {
    return absl::InvalidArgumentError("a URL needs a scheme and a host");
  }
  parts.scheme = absl::AsciiStrToLower(parts.scheme);
  if (parts.host.size() > 2 && parts.host.front() == '[' && parts.host.back() == ']') {
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  }
  return parts;
}

size_t KeepUpTo(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<std::pair<std::string*, size_t>*>(user);
  size_t bytes = size * count;
  size_t room = sink->second - std::min(sink->second, sink->first->size());
  if (bytes > room) {
    sink->first->append(data, room);
    return 0;  // stop reading: the cap is reached
  }
  sink->first->append(data, bytes);
  return bytes;
}

}  // namespace

WebhookClient::WebhookClient(WebhookClientOptions options) : options_(std::move(options)) {
  InitCurlOnce();
}

absl::Status WebhookClient::CheckUrl(const std::string& url) const {
  absl::StatusOr<UrlParts> parts = SplitUrl(url);
  if (!parts.ok()) return parts.status();
  if (parts->scheme == "https") return absl::OkStatus();
  if (parts->scheme == "http" && options_.allow_plain_http) return absl::OkStatus();
  return absl::InvalidArgumentError("the URL must be https");
}

WebhookResponse WebhookClient::Post(const std::string& url, const std::vector<std::string>& headers,
                                    const std::string& body) const {
  WebhookResponse response;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](std::string error) {
    response.error = std::move(error);
    response.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return response;
  };
  if (absl::Status usable = CheckUrl(url); !usable.ok()) {
    return finish(std::string(usable.message()));
  }
  UrlParts parts = *SplitUrl(url);

  // Resolve, then keep the first address the filter accepts.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(parts.host.c_str(), parts.port.c_str(), &hints, &found); rc != 0) {
    return finish(absl::StrCat("cannot resolve ", parts.host, ": ", gai_strerror(rc)));
  }
  std::string chosen, refusal;
  for (addrinfo* a = found; a != nullptr && chosen.empty(); a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, raw, text, sizeof(text)) == nullptr) continue;
    absl::Status allowed = options_.filter.Check(text);
    if (allowed.ok()) {
      chosen = a->ai_family == AF_INET6 ? absl::StrCat("[", text, "]") : text;
    } else if (refusal.empty()) {
      refusal = std::string(allowed.message());
    }
  }
  freeaddrinfo(found);
  if (chosen.empty()) return finish(refusal.empty() ? "no usable address" : refusal);

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return finish("cannot start an HTTP client");
  curl_slist* resolve =
      curl_slist_append(nullptr, absl::StrCat(parts.host, ":", parts.port, ":", chosen).c_str());
  curl_slist* header_list = curl_slist_append(nullptr, "Content-Type: application/json");
  header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
  for (const std::string& header : headers)
    header_list = curl_slist_append(header_list, header.c_str());
  std::string received;
  std::pair<std::string*, size_t> sink{&received, options_.max_response_bytes};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, options_.allow_plain_http ? "http,https" : "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "maillage-webhooks/1");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepUpTo);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(resolve);
  curl_slist_free_all(header_list);
  response.http_status = static_cast<int>(status);
  response.body = std::move(received);
  const bool capped = rc == CURLE_WRITE_ERROR && status > 0;
  if (rc != CURLE_OK && !capped) {
    return finish(rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : curl_easy_strerror(rc));
  }
  response.delivered = status >= 200 && status < 300;
  if (response.delivered) return finish("");
  if (status >= 300 && status < 400)
    return finish(absl::StrCat("HTTP ", status, " (redirect not followed)"));
  return finish(absl::StrCat("HTTP ", status));
}

}  // namespace maillage::gateway
