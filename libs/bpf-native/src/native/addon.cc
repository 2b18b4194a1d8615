// Node addon over libbpf for Beesting's BPF object. One BpfObject per loaded object:
// open + load one backend's programs + attach, map access by name with raw bytes (the
// TS side encodes the structs of beesting.h), per-CPU counters summed, the ring buffer
// read on the libuv loop through its epoll fd (no thread of our own), pin and close.
// Every failure throws an Error with a BEESTING_ERR_BPF_* code and libbpf's own words.
#include <napi.h>
#include <uv.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <string>
#include <vector>

#include "beesting.h"

namespace {

// libbpf's recent messages, so an error can say what libbpf said.
std::string g_libbpf_log;

int capture_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = vsnprintf(line, sizeof(line), fmt, args);
  g_libbpf_log.append(line);
  if (g_libbpf_log.size() > 8192) g_libbpf_log.erase(0, g_libbpf_log.size() - 8192);
  return n;
}

Napi::Error bpf_error(Napi::Env env, const char* code, const std::string& what, int err) {
  std::string message = std::string(code) + ": " + what;
  if (err) message += ": " + std::string(strerror(err < 0 ? -err : err));
  if (!g_libbpf_log.empty()) message += "\n" + g_libbpf_log;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, err < 0 ? -err : err));
  error.Set("libbpf", Napi::String::New(env, g_libbpf_log));
  return error;
}

const char* const kBackendPrograms[][2] = {
    {"bst_lsm_file_open", nullptr},                  // lsm
    {"bst_fentry_file_open", nullptr},               // fentry
    {"bst_tp_sys_exit", "bst_tp_prepare_exec"},      // tracepoint
};

class BpfObject : public Napi::ObjectWrap<BpfObject> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "BpfObject",
                       {
                           InstanceMethod("mapUpdate", &BpfObject::MapUpdate),
                           InstanceMethod("mapDelete", &BpfObject::MapDelete),
                           InstanceMethod("mapLookup", &BpfObject::MapLookup),
                           InstanceMethod("mapKeys", &BpfObject::MapKeys),
                           InstanceMethod("counters", &BpfObject::Counters),
                           InstanceMethod("startEvents", &BpfObject::StartEvents),
                           InstanceMethod("stopEvents", &BpfObject::StopEvents),
                           InstanceMethod("consumeEvents", &BpfObject::ConsumeEvents),
                           InstanceMethod("unpin", &BpfObject::Unpin),
                           InstanceMethod("reusedLinks", &BpfObject::ReusedLinks),
                           InstanceMethod("close", &BpfObject::Close),
                       });
  }

  // new BpfObject(path, backendIndex, pinDir): opens the object and loads + attaches the
  // backend's programs only. With a pin directory (in bpffs), maps are pinned there and
  // reused when already pinned, and links are pinned too: a link already pinned by an
  // earlier run is kept instead of attaching again, so detection never stopped.
  BpfObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObject>(info) {
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>();
    uint32_t backend = info[1].As<Napi::Number>().Uint32Value();
    std::string pin_dir = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
    if (backend > 2) {
      bpf_error(env, "BEESTING_ERR_BPF_BACKEND", "unknown backend", 0).ThrowAsJavaScriptException();
      return;
    }
    g_libbpf_log.clear();
    obj_ = bpf_object__open_file(path.c_str(), nullptr);
    if (!obj_) {
      int err = errno;
      bpf_error(env, "BEESTING_ERR_BPF_OPEN", "cannot open " + path, err).ThrowAsJavaScriptException();
      return;
    }
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj_) {
      const char* name = bpf_program__name(prog);
      bool wanted = (kBackendPrograms[backend][0] && strcmp(name, kBackendPrograms[backend][0]) == 0) ||
                    (kBackendPrograms[backend][1] && strcmp(name, kBackendPrograms[backend][1]) == 0);
      bpf_program__set_autoload(prog, wanted);
    }
    if (!pin_dir.empty()) {
      bpf_map* map;
      bpf_object__for_each_map(map, obj_) {
        if (bpf_map__is_internal(map)) continue;  // .bss and .rodata hold no state worth keeping
        std::string pin = pin_dir + "/" + bpf_map__name(map);
        bpf_map__set_pin_path(map, pin.c_str());
      }
    }
    int err = bpf_object__load(obj_);
    if (err) {
      Release();
      bpf_error(env, "BEESTING_ERR_BPF_LOAD", "cannot load the programs of this backend", err).ThrowAsJavaScriptException();
      return;
    }
    bpf_object__for_each_program(prog, obj_) {
      if (!bpf_program__autoload(prog)) continue;
      std::string link_pin = pin_dir.empty() ? "" : pin_dir + "/link_" + bpf_program__name(prog);
      if (!link_pin.empty()) {
        bpf_link* kept = bpf_link__open(link_pin.c_str());
        if (kept) {
          links_.push_back(kept);
          reused_links_++;
          continue;
        }
      }
      bpf_link* link = bpf_program__attach(prog);
      if (!link) {
        int attach_err = errno;
        std::string name = bpf_program__name(prog);
        Release();
        bpf_error(env, "BEESTING_ERR_BPF_ATTACH", "cannot attach " + name, attach_err).ThrowAsJavaScriptException();
        return;
      }
      if (!link_pin.empty() && bpf_link__pin(link, link_pin.c_str())) {
        int pin_err = errno;
        bpf_link__destroy(link);
        Release();
        bpf_error(env, "BEESTING_ERR_BPF_PIN", "cannot pin a link at " + link_pin, pin_err).ThrowAsJavaScriptException();
        return;
      }
      links_.push_back(link);
    }
  }

  ~BpfObject() override { Release(); }

 private:
  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  ring_buffer* rb_ = nullptr;
  int reused_links_ = 0;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference on_events_;
  std::string batch_;
  Napi::Env* env_for_poll_ = nullptr;

  void Release() {
    StopPolling();
    if (rb_) ring_buffer__free(rb_);
    rb_ = nullptr;
    for (auto* link : links_) bpf_link__destroy(link);
    links_.clear();
    if (obj_) bpf_object__close(obj_);
    obj_ = nullptr;
  }

  void StopPolling() {
    if (!poll_) return;
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }

  bpf_map* FindMap(Napi::Env env, const Napi::Value& name) {
    if (!obj_) {
      bpf_error(env, "BEESTING_ERR_BPF_CLOSED", "the object is closed", 0).ThrowAsJavaScriptException();
      return nullptr;
    }
    std::string n = name.As<Napi::String>();
    bpf_map* map = bpf_object__find_map_by_name(obj_, n.c_str());
    if (!map) bpf_error(env, "BEESTING_ERR_BPF_MAP", "no map " + n, 0).ThrowAsJavaScriptException();
    return map;
  }

  static bool SizeOk(Napi::Env env, const Napi::Buffer<uint8_t>& b, size_t want, const char* what) {
    if (b.Length() == want) return true;
    bpf_error(env, "BEESTING_ERR_BPF_MAP", std::string(what) + " has " + std::to_string(b.Length()) + " bytes, the map wants " + std::to_string(want), 0)
        .ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value MapUpdate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, info[0]);
    if (!map) return env.Undefined();
    auto key = info[1].As<Napi::Buffer<uint8_t>>();
    auto value = info[2].As<Napi::Buffer<uint8_t>>();
    if (!SizeOk(env, key, bpf_map__key_size(map), "key") || !SizeOk(env, value, bpf_map__value_size(map), "value")) return env.Undefined();
    g_libbpf_log.clear();
    if (bpf_map_update_elem(bpf_map__fd(map), key.Data(), value.Data(), BPF_ANY)) {
      int err = errno;
      bpf_error(env, err == E2BIG ? "BEESTING_ERR_BPF_MAP_FULL" : "BEESTING_ERR_BPF_MAP", std::string("update of ") + bpf_map__name(map), err).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value MapDelete(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, info[0]);
    if (!map) return env.Undefined();
    auto key = info[1].As<Napi::Buffer<uint8_t>>();
    if (!SizeOk(env, key, bpf_map__key_size(map), "key")) return env.Undefined();
    bool existed = bpf_map_delete_elem(bpf_map__fd(map), key.Data()) == 0;
    return Napi::Boolean::New(env, existed);
  }

  Napi::Value MapLookup(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, info[0]);
    if (!map) return env.Undefined();
    auto key = info[1].As<Napi::Buffer<uint8_t>>();
    if (!SizeOk(env, key, bpf_map__key_size(map), "key")) return env.Undefined();
    std::vector<uint8_t> value(bpf_map__value_size(map));
    if (bpf_map_lookup_elem(bpf_map__fd(map), key.Data(), value.data())) return env.Null();
    return Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size());
  }

  Napi::Value MapKeys(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, info[0]);
    if (!map) return env.Undefined();
    size_t key_size = bpf_map__key_size(map);
    std::vector<uint8_t> key(key_size), next(key_size);
    Napi::Array out = Napi::Array::New(env);
    void* prev = nullptr;
    uint32_t i = 0;
    while (bpf_map_get_next_key(bpf_map__fd(map), prev, next.data()) == 0) {
      out.Set(i++, Napi::Buffer<uint8_t>::Copy(env, next.data(), key_size));
      key = next;
      prev = key.data();
    }
    return out;
  }

  // Per-CPU counters summed over the possible CPUs, as BigInts, indexed by enum bst_counter.
  Napi::Value Counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, Napi::String::New(env, "bst_counters"));
    if (!map) return env.Undefined();
    int cpus = libbpf_num_possible_cpus();
    std::vector<__u64> values(cpus > 0 ? cpus : 1);
    Napi::Array out = Napi::Array::New(env, BST_CTR_MAX);
    for (__u32 k = 0; k < BST_CTR_MAX; k++) {
      __u64 sum = 0;
      if (bpf_map_lookup_elem(bpf_map__fd(map), &k, values.data()) == 0)
        for (auto v : values) sum += v;
      out.Set(k, Napi::BigInt::New(env, static_cast<uint64_t>(sum)));
    }
    return out;
  }

  // Each record goes to JS while libbpf still holds it: the consumer position moves past a
  // record only after this returns, so a monitor killed before its handler has made the
  // event durable (the spool) leaves the record in the (pinned) ring buffer for the next
  // one. A handler that throws does not stop the ring: the record is counted as delivered.
  static int OnRecord(void* ctx, void* data, size_t size) {
    auto* self = static_cast<BpfObject*>(ctx);
    self->batch_.append(static_cast<const char*>(data), size);
    if (self->env_holder_) self->Deliver(Napi::Env(self->env_holder_));
    return 0;
  }

  // Hands the records read so far to JS as one Buffer of whole records; false if JS threw.
  bool Deliver(Napi::Env env) {
    if (batch_.empty() || on_events_.IsEmpty()) return true;
    Napi::HandleScope scope(env);
    Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(batch_.data()), batch_.size());
    batch_.clear();
    on_events_.Call({buffer});
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      (void)e;
      return false;
    }
    return true;
  }

  // startEvents(callback(buffer)): the ring buffer's epoll fd joins the libuv loop.
  Napi::Value StartEvents(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, Napi::String::New(env, "bst_events"));
    if (!map) return env.Undefined();
    if (rb_) return env.Undefined();
    on_events_ = Napi::Persistent(info[0].As<Napi::Function>());
    rb_ = ring_buffer__new(bpf_map__fd(map), &BpfObject::OnRecord, this, nullptr);
    if (!rb_) {
      bpf_error(env, "BEESTING_ERR_BPF_RINGBUF", "cannot open the ring buffer", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    uv_poll_init(loop, poll_, ring_buffer__epoll_fd(rb_));
    poll_->data = this;
    napi_env raw_env = env;
    env_holder_ = raw_env;
    uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* handle, int status, int events) {
      auto* self = static_cast<BpfObject*>(handle->data);
      if (!self->rb_) return;
      ring_buffer__consume(self->rb_);
      self->Deliver(Napi::Env(self->env_holder_));
    });
    return env.Undefined();
  }

  // Reads whatever is queued now (used at start, to drain what arrived while nobody listened).
  Napi::Value ConsumeEvents(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!rb_) return Napi::Number::New(env, 0);
    int n = ring_buffer__consume(rb_);
    Deliver(env);
    return Napi::Number::New(env, n);
  }

  Napi::Value StopEvents(const Napi::CallbackInfo& info) {
    StopPolling();
    if (rb_) ring_buffer__free(rb_);
    rb_ = nullptr;
    on_events_.Reset();
    return info.Env().Undefined();
  }

  Napi::Value ReusedLinks(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), reused_links_); }

  // Removes the pins: the programs detach and the maps go once this object closes.
  Napi::Value Unpin(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    for (auto* link : links_) bpf_link__unpin(link);
    if (obj_) {
      bpf_map* map;
      bpf_object__for_each_map(map, obj_) {
        if (bpf_map__is_pinned(map)) bpf_map__unpin(map, nullptr);
      }
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    on_events_.Reset();
    return info.Env().Undefined();
  }

  napi_env env_holder_ = nullptr;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  libbpf_set_print(capture_print);
  libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
  exports.Set("BpfObject", BpfObject::Init(env));
  exports.Set("possibleCpus", Napi::Number::New(env, libbpf_num_possible_cpus()));
  return exports;
}

}  // namespace

NODE_API_MODULE(beesting_bpf, Init)
