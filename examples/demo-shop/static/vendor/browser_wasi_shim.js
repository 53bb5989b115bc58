// @bjorn3/browser_wasi_shim 0.4.2 (MIT OR Apache-2.0, https://github.com/bjorn3/browser_wasi_shim),
// bundled into one ES module with esbuild 0.28.2; see README.md in this folder. Do not edit by hand.
var __defProp = Object.defineProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: !0 });
};

// node_modules/@bjorn3/browser_wasi_shim/dist/wasi_defs.js
var wasi_defs_exports = {};
__export(wasi_defs_exports, {
  ADVICE_DONTNEED: () => ADVICE_DONTNEED,
  ADVICE_NOREUSE: () => ADVICE_NOREUSE,
  ADVICE_NORMAL: () => ADVICE_NORMAL,
  ADVICE_RANDOM: () => ADVICE_RANDOM,
  ADVICE_SEQUENTIAL: () => ADVICE_SEQUENTIAL,
  ADVICE_WILLNEED: () => ADVICE_WILLNEED,
  CLOCKID_MONOTONIC: () => CLOCKID_MONOTONIC,
  CLOCKID_PROCESS_CPUTIME_ID: () => CLOCKID_PROCESS_CPUTIME_ID,
  CLOCKID_REALTIME: () => CLOCKID_REALTIME,
  CLOCKID_THREAD_CPUTIME_ID: () => CLOCKID_THREAD_CPUTIME_ID,
  Ciovec: () => Ciovec,
  Dirent: () => Dirent,
  ERRNO_2BIG: () => ERRNO_2BIG,
  ERRNO_ACCES: () => ERRNO_ACCES,
  ERRNO_ADDRINUSE: () => ERRNO_ADDRINUSE,
  ERRNO_ADDRNOTAVAIL: () => ERRNO_ADDRNOTAVAIL,
  ERRNO_AFNOSUPPORT: () => ERRNO_AFNOSUPPORT,
  ERRNO_AGAIN: () => ERRNO_AGAIN,
  ERRNO_ALREADY: () => ERRNO_ALREADY,
  ERRNO_BADF: () => ERRNO_BADF,
  ERRNO_BADMSG: () => ERRNO_BADMSG,
  ERRNO_BUSY: () => ERRNO_BUSY,
  ERRNO_CANCELED: () => ERRNO_CANCELED,
  ERRNO_CHILD: () => ERRNO_CHILD,
  ERRNO_CONNABORTED: () => ERRNO_CONNABORTED,
  ERRNO_CONNREFUSED: () => ERRNO_CONNREFUSED,
  ERRNO_CONNRESET: () => ERRNO_CONNRESET,
  ERRNO_DEADLK: () => ERRNO_DEADLK,
  ERRNO_DESTADDRREQ: () => ERRNO_DESTADDRREQ,
  ERRNO_DOM: () => ERRNO_DOM,
  ERRNO_DQUOT: () => ERRNO_DQUOT,
  ERRNO_EXIST: () => ERRNO_EXIST,
  ERRNO_FAULT: () => ERRNO_FAULT,
  ERRNO_FBIG: () => ERRNO_FBIG,
  ERRNO_HOSTUNREACH: () => ERRNO_HOSTUNREACH,
  ERRNO_IDRM: () => ERRNO_IDRM,
  ERRNO_ILSEQ: () => ERRNO_ILSEQ,
  ERRNO_INPROGRESS: () => ERRNO_INPROGRESS,
  ERRNO_INTR: () => ERRNO_INTR,
  ERRNO_INVAL: () => ERRNO_INVAL,
  ERRNO_IO: () => ERRNO_IO,
  ERRNO_ISCONN: () => ERRNO_ISCONN,
  ERRNO_ISDIR: () => ERRNO_ISDIR,
  ERRNO_LOOP: () => ERRNO_LOOP,
  ERRNO_MFILE: () => ERRNO_MFILE,
  ERRNO_MLINK: () => ERRNO_MLINK,
  ERRNO_MSGSIZE: () => ERRNO_MSGSIZE,
  ERRNO_MULTIHOP: () => ERRNO_MULTIHOP,
  ERRNO_NAMETOOLONG: () => ERRNO_NAMETOOLONG,
  ERRNO_NETDOWN: () => ERRNO_NETDOWN,
  ERRNO_NETRESET: () => ERRNO_NETRESET,
  ERRNO_NETUNREACH: () => ERRNO_NETUNREACH,
  ERRNO_NFILE: () => ERRNO_NFILE,
  ERRNO_NOBUFS: () => ERRNO_NOBUFS,
  ERRNO_NODEV: () => ERRNO_NODEV,
  ERRNO_NOENT: () => ERRNO_NOENT,
  ERRNO_NOEXEC: () => ERRNO_NOEXEC,
  ERRNO_NOLCK: () => ERRNO_NOLCK,
  ERRNO_NOLINK: () => ERRNO_NOLINK,
  ERRNO_NOMEM: () => ERRNO_NOMEM,
  ERRNO_NOMSG: () => ERRNO_NOMSG,
  ERRNO_NOPROTOOPT: () => ERRNO_NOPROTOOPT,
  ERRNO_NOSPC: () => ERRNO_NOSPC,
  ERRNO_NOSYS: () => ERRNO_NOSYS,
  ERRNO_NOTCAPABLE: () => ERRNO_NOTCAPABLE,
  ERRNO_NOTCONN: () => ERRNO_NOTCONN,
  ERRNO_NOTDIR: () => ERRNO_NOTDIR,
  ERRNO_NOTEMPTY: () => ERRNO_NOTEMPTY,
  ERRNO_NOTRECOVERABLE: () => ERRNO_NOTRECOVERABLE,
  ERRNO_NOTSOCK: () => ERRNO_NOTSOCK,
  ERRNO_NOTSUP: () => ERRNO_NOTSUP,
  ERRNO_NOTTY: () => ERRNO_NOTTY,
  ERRNO_NXIO: () => ERRNO_NXIO,
  ERRNO_OVERFLOW: () => ERRNO_OVERFLOW,
  ERRNO_OWNERDEAD: () => ERRNO_OWNERDEAD,
  ERRNO_PERM: () => ERRNO_PERM,
  ERRNO_PIPE: () => ERRNO_PIPE,
  ERRNO_PROTO: () => ERRNO_PROTO,
  ERRNO_PROTONOSUPPORT: () => ERRNO_PROTONOSUPPORT,
  ERRNO_PROTOTYPE: () => ERRNO_PROTOTYPE,
  ERRNO_RANGE: () => ERRNO_RANGE,
  ERRNO_ROFS: () => ERRNO_ROFS,
  ERRNO_SPIPE: () => ERRNO_SPIPE,
  ERRNO_SRCH: () => ERRNO_SRCH,
  ERRNO_STALE: () => ERRNO_STALE,
  ERRNO_SUCCESS: () => ERRNO_SUCCESS,
  ERRNO_TIMEDOUT: () => ERRNO_TIMEDOUT,
  ERRNO_TXTBSY: () => ERRNO_TXTBSY,
  ERRNO_XDEV: () => ERRNO_XDEV,
  EVENTRWFLAGS_FD_READWRITE_HANGUP: () => EVENTRWFLAGS_FD_READWRITE_HANGUP,
  EVENTTYPE_CLOCK: () => EVENTTYPE_CLOCK,
  EVENTTYPE_FD_READ: () => EVENTTYPE_FD_READ,
  EVENTTYPE_FD_WRITE: () => EVENTTYPE_FD_WRITE,
  Event: () => Event,
  FDFLAGS_APPEND: () => FDFLAGS_APPEND,
  FDFLAGS_DSYNC: () => FDFLAGS_DSYNC,
  FDFLAGS_NONBLOCK: () => FDFLAGS_NONBLOCK,
  FDFLAGS_RSYNC: () => FDFLAGS_RSYNC,
  FDFLAGS_SYNC: () => FDFLAGS_SYNC,
  FD_STDERR: () => FD_STDERR,
  FD_STDIN: () => FD_STDIN,
  FD_STDOUT: () => FD_STDOUT,
  FILETYPE_BLOCK_DEVICE: () => FILETYPE_BLOCK_DEVICE,
  FILETYPE_CHARACTER_DEVICE: () => FILETYPE_CHARACTER_DEVICE,
  FILETYPE_DIRECTORY: () => FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE: () => FILETYPE_REGULAR_FILE,
  FILETYPE_SOCKET_DGRAM: () => FILETYPE_SOCKET_DGRAM,
  FILETYPE_SOCKET_STREAM: () => FILETYPE_SOCKET_STREAM,
  FILETYPE_SYMBOLIC_LINK: () => FILETYPE_SYMBOLIC_LINK,
  FILETYPE_UNKNOWN: () => FILETYPE_UNKNOWN,
  FSTFLAGS_ATIM: () => FSTFLAGS_ATIM,
  FSTFLAGS_ATIM_NOW: () => FSTFLAGS_ATIM_NOW,
  FSTFLAGS_MTIM: () => FSTFLAGS_MTIM,
  FSTFLAGS_MTIM_NOW: () => FSTFLAGS_MTIM_NOW,
  Fdstat: () => Fdstat,
  Filestat: () => Filestat,
  Iovec: () => Iovec,
  OFLAGS_CREAT: () => OFLAGS_CREAT,
  OFLAGS_DIRECTORY: () => OFLAGS_DIRECTORY,
  OFLAGS_EXCL: () => OFLAGS_EXCL,
  OFLAGS_TRUNC: () => OFLAGS_TRUNC,
  PREOPENTYPE_DIR: () => PREOPENTYPE_DIR,
  Prestat: () => Prestat,
  PrestatDir: () => PrestatDir,
  RIFLAGS_RECV_PEEK: () => RIFLAGS_RECV_PEEK,
  RIFLAGS_RECV_WAITALL: () => RIFLAGS_RECV_WAITALL,
  RIGHTS_FD_ADVISE: () => RIGHTS_FD_ADVISE,
  RIGHTS_FD_ALLOCATE: () => RIGHTS_FD_ALLOCATE,
  RIGHTS_FD_DATASYNC: () => RIGHTS_FD_DATASYNC,
  RIGHTS_FD_FDSTAT_SET_FLAGS: () => RIGHTS_FD_FDSTAT_SET_FLAGS,
  RIGHTS_FD_FILESTAT_GET: () => RIGHTS_FD_FILESTAT_GET,
  RIGHTS_FD_FILESTAT_SET_SIZE: () => RIGHTS_FD_FILESTAT_SET_SIZE,
  RIGHTS_FD_FILESTAT_SET_TIMES: () => RIGHTS_FD_FILESTAT_SET_TIMES,
  RIGHTS_FD_READ: () => RIGHTS_FD_READ,
  RIGHTS_FD_READDIR: () => RIGHTS_FD_READDIR,
  RIGHTS_FD_SEEK: () => RIGHTS_FD_SEEK,
  RIGHTS_FD_SYNC: () => RIGHTS_FD_SYNC,
  RIGHTS_FD_TELL: () => RIGHTS_FD_TELL,
  RIGHTS_FD_WRITE: () => RIGHTS_FD_WRITE,
  RIGHTS_PATH_CREATE_DIRECTORY: () => RIGHTS_PATH_CREATE_DIRECTORY,
  RIGHTS_PATH_CREATE_FILE: () => RIGHTS_PATH_CREATE_FILE,
  RIGHTS_PATH_FILESTAT_GET: () => RIGHTS_PATH_FILESTAT_GET,
  RIGHTS_PATH_FILESTAT_SET_SIZE: () => RIGHTS_PATH_FILESTAT_SET_SIZE,
  RIGHTS_PATH_FILESTAT_SET_TIMES: () => RIGHTS_PATH_FILESTAT_SET_TIMES,
  RIGHTS_PATH_LINK_SOURCE: () => RIGHTS_PATH_LINK_SOURCE,
  RIGHTS_PATH_LINK_TARGET: () => RIGHTS_PATH_LINK_TARGET,
  RIGHTS_PATH_OPEN: () => RIGHTS_PATH_OPEN,
  RIGHTS_PATH_READLINK: () => RIGHTS_PATH_READLINK,
  RIGHTS_PATH_REMOVE_DIRECTORY: () => RIGHTS_PATH_REMOVE_DIRECTORY,
  RIGHTS_PATH_RENAME_SOURCE: () => RIGHTS_PATH_RENAME_SOURCE,
  RIGHTS_PATH_RENAME_TARGET: () => RIGHTS_PATH_RENAME_TARGET,
  RIGHTS_PATH_SYMLINK: () => RIGHTS_PATH_SYMLINK,
  RIGHTS_PATH_UNLINK_FILE: () => RIGHTS_PATH_UNLINK_FILE,
  RIGHTS_POLL_FD_READWRITE: () => RIGHTS_POLL_FD_READWRITE,
  RIGHTS_SOCK_SHUTDOWN: () => RIGHTS_SOCK_SHUTDOWN,
  ROFLAGS_RECV_DATA_TRUNCATED: () => ROFLAGS_RECV_DATA_TRUNCATED,
  SDFLAGS_RD: () => SDFLAGS_RD,
  SDFLAGS_WR: () => SDFLAGS_WR,
  SIGNAL_ABRT: () => SIGNAL_ABRT,
  SIGNAL_ALRM: () => SIGNAL_ALRM,
  SIGNAL_BUS: () => SIGNAL_BUS,
  SIGNAL_CHLD: () => SIGNAL_CHLD,
  SIGNAL_CONT: () => SIGNAL_CONT,
  SIGNAL_FPE: () => SIGNAL_FPE,
  SIGNAL_HUP: () => SIGNAL_HUP,
  SIGNAL_ILL: () => SIGNAL_ILL,
  SIGNAL_INT: () => SIGNAL_INT,
  SIGNAL_KILL: () => SIGNAL_KILL,
  SIGNAL_NONE: () => SIGNAL_NONE,
  SIGNAL_PIPE: () => SIGNAL_PIPE,
  SIGNAL_POLL: () => SIGNAL_POLL,
  SIGNAL_PROF: () => SIGNAL_PROF,
  SIGNAL_PWR: () => SIGNAL_PWR,
  SIGNAL_QUIT: () => SIGNAL_QUIT,
  SIGNAL_SEGV: () => SIGNAL_SEGV,
  SIGNAL_STOP: () => SIGNAL_STOP,
  SIGNAL_SYS: () => SIGNAL_SYS,
  SIGNAL_TERM: () => SIGNAL_TERM,
  SIGNAL_TRAP: () => SIGNAL_TRAP,
  SIGNAL_TSTP: () => SIGNAL_TSTP,
  SIGNAL_TTIN: () => SIGNAL_TTIN,
  SIGNAL_TTOU: () => SIGNAL_TTOU,
  SIGNAL_URG: () => SIGNAL_URG,
  SIGNAL_USR1: () => SIGNAL_USR1,
  SIGNAL_USR2: () => SIGNAL_USR2,
  SIGNAL_VTALRM: () => SIGNAL_VTALRM,
  SIGNAL_WINCH: () => SIGNAL_WINCH,
  SIGNAL_XCPU: () => SIGNAL_XCPU,
  SIGNAL_XFSZ: () => SIGNAL_XFSZ,
  SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME: () => SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
  Subscription: () => Subscription,
  WHENCE_CUR: () => WHENCE_CUR,
  WHENCE_END: () => WHENCE_END,
  WHENCE_SET: () => WHENCE_SET
});
var FD_STDIN = 0, FD_STDOUT = 1, FD_STDERR = 2, CLOCKID_REALTIME = 0, CLOCKID_MONOTONIC = 1, CLOCKID_PROCESS_CPUTIME_ID = 2, CLOCKID_THREAD_CPUTIME_ID = 3, ERRNO_SUCCESS = 0, ERRNO_2BIG = 1, ERRNO_ACCES = 2, ERRNO_ADDRINUSE = 3, ERRNO_ADDRNOTAVAIL = 4, ERRNO_AFNOSUPPORT = 5, ERRNO_AGAIN = 6, ERRNO_ALREADY = 7, ERRNO_BADF = 8, ERRNO_BADMSG = 9, ERRNO_BUSY = 10, ERRNO_CANCELED = 11, ERRNO_CHILD = 12, ERRNO_CONNABORTED = 13, ERRNO_CONNREFUSED = 14, ERRNO_CONNRESET = 15, ERRNO_DEADLK = 16, ERRNO_DESTADDRREQ = 17, ERRNO_DOM = 18, ERRNO_DQUOT = 19, ERRNO_EXIST = 20, ERRNO_FAULT = 21, ERRNO_FBIG = 22, ERRNO_HOSTUNREACH = 23, ERRNO_IDRM = 24, ERRNO_ILSEQ = 25, ERRNO_INPROGRESS = 26, ERRNO_INTR = 27, ERRNO_INVAL = 28, ERRNO_IO = 29, ERRNO_ISCONN = 30, ERRNO_ISDIR = 31, ERRNO_LOOP = 32, ERRNO_MFILE = 33, ERRNO_MLINK = 34, ERRNO_MSGSIZE = 35, ERRNO_MULTIHOP = 36, ERRNO_NAMETOOLONG = 37, ERRNO_NETDOWN = 38, ERRNO_NETRESET = 39, ERRNO_NETUNREACH = 40, ERRNO_NFILE = 41, ERRNO_NOBUFS = 42, ERRNO_NODEV = 43, ERRNO_NOENT = 44, ERRNO_NOEXEC = 45, ERRNO_NOLCK = 46, ERRNO_NOLINK = 47, ERRNO_NOMEM = 48, ERRNO_NOMSG = 49, ERRNO_NOPROTOOPT = 50, ERRNO_NOSPC = 51, ERRNO_NOSYS = 52, ERRNO_NOTCONN = 53, ERRNO_NOTDIR = 54, ERRNO_NOTEMPTY = 55, ERRNO_NOTRECOVERABLE = 56, ERRNO_NOTSOCK = 57, ERRNO_NOTSUP = 58, ERRNO_NOTTY = 59, ERRNO_NXIO = 60, ERRNO_OVERFLOW = 61, ERRNO_OWNERDEAD = 62, ERRNO_PERM = 63, ERRNO_PIPE = 64, ERRNO_PROTO = 65, ERRNO_PROTONOSUPPORT = 66, ERRNO_PROTOTYPE = 67, ERRNO_RANGE = 68, ERRNO_ROFS = 69, ERRNO_SPIPE = 70, ERRNO_SRCH = 71, ERRNO_STALE = 72, ERRNO_TIMEDOUT = 73, ERRNO_TXTBSY = 74, ERRNO_XDEV = 75, ERRNO_NOTCAPABLE = 76, RIGHTS_FD_DATASYNC = 1, RIGHTS_FD_READ = 2, RIGHTS_FD_SEEK = 4, RIGHTS_FD_FDSTAT_SET_FLAGS = 8, RIGHTS_FD_SYNC = 16, RIGHTS_FD_TELL = 32, RIGHTS_FD_WRITE = 64, RIGHTS_FD_ADVISE = 128, RIGHTS_FD_ALLOCATE = 256, RIGHTS_PATH_CREATE_DIRECTORY = 512, RIGHTS_PATH_CREATE_FILE = 1024, RIGHTS_PATH_LINK_SOURCE = 2048, RIGHTS_PATH_LINK_TARGET = 4096, RIGHTS_PATH_OPEN = 8192, RIGHTS_FD_READDIR = 16384, RIGHTS_PATH_READLINK = 32768, RIGHTS_PATH_RENAME_SOURCE = 65536, RIGHTS_PATH_RENAME_TARGET = 131072, RIGHTS_PATH_FILESTAT_GET = 262144, RIGHTS_PATH_FILESTAT_SET_SIZE = 524288, RIGHTS_PATH_FILESTAT_SET_TIMES = 1048576, RIGHTS_FD_FILESTAT_GET = 2097152, RIGHTS_FD_FILESTAT_SET_SIZE = 4194304, RIGHTS_FD_FILESTAT_SET_TIMES = 8388608, RIGHTS_PATH_SYMLINK = 16777216, RIGHTS_PATH_REMOVE_DIRECTORY = 33554432, RIGHTS_PATH_UNLINK_FILE = 67108864, RIGHTS_POLL_FD_READWRITE = 134217728, RIGHTS_SOCK_SHUTDOWN = 268435456, Iovec = class _Iovec {
  static read_bytes(view, ptr) {
    let iovec = new _Iovec();
    return iovec.buf = view.getUint32(ptr, !0), iovec.buf_len = view.getUint32(ptr + 4, !0), iovec;
  }
  static read_bytes_array(view, ptr, len) {
    let iovecs = [];
    for (let i = 0; i < len; i++)
      iovecs.push(_Iovec.read_bytes(view, ptr + 8 * i));
    return iovecs;
  }
}, Ciovec = class _Ciovec {
  static read_bytes(view, ptr) {
    let iovec = new _Ciovec();
    return iovec.buf = view.getUint32(ptr, !0), iovec.buf_len = view.getUint32(ptr + 4, !0), iovec;
  }
  static read_bytes_array(view, ptr, len) {
    let iovecs = [];
    for (let i = 0; i < len; i++)
      iovecs.push(_Ciovec.read_bytes(view, ptr + 8 * i));
    return iovecs;
  }
}, WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2, FILETYPE_UNKNOWN = 0, FILETYPE_BLOCK_DEVICE = 1, FILETYPE_CHARACTER_DEVICE = 2, FILETYPE_DIRECTORY = 3, FILETYPE_REGULAR_FILE = 4, FILETYPE_SOCKET_DGRAM = 5, FILETYPE_SOCKET_STREAM = 6, FILETYPE_SYMBOLIC_LINK = 7, Dirent = class {
  head_length() {
    return 24;
  }
  name_length() {
    return this.dir_name.byteLength;
  }
  write_head_bytes(view, ptr) {
    view.setBigUint64(ptr, this.d_next, !0), view.setBigUint64(ptr + 8, this.d_ino, !0), view.setUint32(ptr + 16, this.dir_name.length, !0), view.setUint8(ptr + 20, this.d_type);
  }
  write_name_bytes(view8, ptr, buf_len) {
    view8.set(this.dir_name.slice(0, Math.min(this.dir_name.byteLength, buf_len)), ptr);
  }
  constructor(next_cookie, d_ino, name, type) {
    let encoded_name = new TextEncoder().encode(name);
    this.d_next = next_cookie, this.d_ino = d_ino, this.d_namlen = encoded_name.byteLength, this.d_type = type, this.dir_name = encoded_name;
  }
}, ADVICE_NORMAL = 0, ADVICE_SEQUENTIAL = 1, ADVICE_RANDOM = 2, ADVICE_WILLNEED = 3, ADVICE_DONTNEED = 4, ADVICE_NOREUSE = 5, FDFLAGS_APPEND = 1, FDFLAGS_DSYNC = 2, FDFLAGS_NONBLOCK = 4, FDFLAGS_RSYNC = 8, FDFLAGS_SYNC = 16, Fdstat = class {
  write_bytes(view, ptr) {
    view.setUint8(ptr, this.fs_filetype), view.setUint16(ptr + 2, this.fs_flags, !0), view.setBigUint64(ptr + 8, this.fs_rights_base, !0), view.setBigUint64(ptr + 16, this.fs_rights_inherited, !0);
  }
  constructor(filetype, flags) {
    this.fs_rights_base = 0n, this.fs_rights_inherited = 0n, this.fs_filetype = filetype, this.fs_flags = flags;
  }
}, FSTFLAGS_ATIM = 1, FSTFLAGS_ATIM_NOW = 2, FSTFLAGS_MTIM = 4, FSTFLAGS_MTIM_NOW = 8, OFLAGS_CREAT = 1, OFLAGS_DIRECTORY = 2, OFLAGS_EXCL = 4, OFLAGS_TRUNC = 8, Filestat = class {
  write_bytes(view, ptr) {
    view.setBigUint64(ptr, this.dev, !0), view.setBigUint64(ptr + 8, this.ino, !0), view.setUint8(ptr + 16, this.filetype), view.setBigUint64(ptr + 24, this.nlink, !0), view.setBigUint64(ptr + 32, this.size, !0), view.setBigUint64(ptr + 38, this.atim, !0), view.setBigUint64(ptr + 46, this.mtim, !0), view.setBigUint64(ptr + 52, this.ctim, !0);
  }
  constructor(ino, filetype, size) {
    this.dev = 0n, this.nlink = 0n, this.atim = 0n, this.mtim = 0n, this.ctim = 0n, this.ino = ino, this.filetype = filetype, this.size = size;
  }
}, EVENTTYPE_CLOCK = 0, EVENTTYPE_FD_READ = 1, EVENTTYPE_FD_WRITE = 2, EVENTRWFLAGS_FD_READWRITE_HANGUP = 1, SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME = 1, Subscription = class _Subscription {
  static read_bytes(view, ptr) {
    return new _Subscription(view.getBigUint64(ptr, !0), view.getUint8(ptr + 8), view.getUint32(ptr + 16, !0), view.getBigUint64(ptr + 24, !0), view.getUint16(ptr + 36, !0));
  }
  constructor(userdata, eventtype, clockid, timeout, flags) {
    this.userdata = userdata, this.eventtype = eventtype, this.clockid = clockid, this.timeout = timeout, this.flags = flags;
  }
}, Event = class {
  write_bytes(view, ptr) {
    view.setBigUint64(ptr, this.userdata, !0), view.setUint16(ptr + 8, this.error, !0), view.setUint8(ptr + 10, this.eventtype);
  }
  constructor(userdata, error, eventtype) {
    this.userdata = userdata, this.error = error, this.eventtype = eventtype;
  }
}, SIGNAL_NONE = 0, SIGNAL_HUP = 1, SIGNAL_INT = 2, SIGNAL_QUIT = 3, SIGNAL_ILL = 4, SIGNAL_TRAP = 5, SIGNAL_ABRT = 6, SIGNAL_BUS = 7, SIGNAL_FPE = 8, SIGNAL_KILL = 9, SIGNAL_USR1 = 10, SIGNAL_SEGV = 11, SIGNAL_USR2 = 12, SIGNAL_PIPE = 13, SIGNAL_ALRM = 14, SIGNAL_TERM = 15, SIGNAL_CHLD = 16, SIGNAL_CONT = 17, SIGNAL_STOP = 18, SIGNAL_TSTP = 19, SIGNAL_TTIN = 20, SIGNAL_TTOU = 21, SIGNAL_URG = 22, SIGNAL_XCPU = 23, SIGNAL_XFSZ = 24, SIGNAL_VTALRM = 25, SIGNAL_PROF = 26, SIGNAL_WINCH = 27, SIGNAL_POLL = 28, SIGNAL_PWR = 29, SIGNAL_SYS = 30, RIFLAGS_RECV_PEEK = 1, RIFLAGS_RECV_WAITALL = 2, ROFLAGS_RECV_DATA_TRUNCATED = 1, SDFLAGS_RD = 1, SDFLAGS_WR = 2, PREOPENTYPE_DIR = 0, PrestatDir = class {
  write_bytes(view, ptr) {
    view.setUint32(ptr, this.pr_name.byteLength, !0);
  }
  constructor(name) {
    this.pr_name = new TextEncoder().encode(name);
  }
}, Prestat = class _Prestat {
  static dir(name) {
    let prestat = new _Prestat();
    return prestat.tag = PREOPENTYPE_DIR, prestat.inner = new PrestatDir(name), prestat;
  }
  write_bytes(view, ptr) {
    view.setUint32(ptr, this.tag, !0), this.inner.write_bytes(view, ptr + 4);
  }
};

// node_modules/@bjorn3/browser_wasi_shim/dist/debug.js
var Debug = class {
  enable(enabled) {
    this.log = createLogger(enabled === void 0 ? !0 : enabled, this.prefix);
  }
  get enabled() {
    return this.isEnabled;
  }
  constructor(isEnabled) {
    this.isEnabled = isEnabled, this.prefix = "wasi:", this.enable(isEnabled);
  }
};
function createLogger(enabled, prefix) {
  return enabled ? console.log.bind(console, "%c%s", "color: #265BA0", prefix) : () => {
  };
}
var debug = new Debug(!1);

// node_modules/@bjorn3/browser_wasi_shim/dist/wasi.js
var WASIProcExit = class extends Error {
  constructor(code) {
    super("exit with exit code " + code), this.code = code;
  }
}, WASI = class {
  start(instance) {
    this.inst = instance;
    try {
      return instance.exports._start(), 0;
    } catch (e) {
      if (e instanceof WASIProcExit)
        return e.code;
      throw e;
    }
  }
  initialize(instance) {
    this.inst = instance, instance.exports._initialize && instance.exports._initialize();
  }
  constructor(args, env, fds, options = {}) {
    this.args = [], this.env = [], this.fds = [], debug.enable(options.debug), this.args = args, this.env = env, this.fds = fds;
    let self = this;
    this.wasiImport = { args_sizes_get(argc, argv_buf_size) {
      let buffer = new DataView(self.inst.exports.memory.buffer);
      buffer.setUint32(argc, self.args.length, !0);
      let buf_size = 0;
      for (let arg of self.args)
        buf_size += arg.length + 1;
      return buffer.setUint32(argv_buf_size, buf_size, !0), debug.log(buffer.getUint32(argc, !0), buffer.getUint32(argv_buf_size, !0)), 0;
    }, args_get(argv, argv_buf) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer), orig_argv_buf = argv_buf;
      for (let i = 0; i < self.args.length; i++) {
        buffer.setUint32(argv, argv_buf, !0), argv += 4;
        let arg = new TextEncoder().encode(self.args[i]);
        buffer8.set(arg, argv_buf), buffer.setUint8(argv_buf + arg.length, 0), argv_buf += arg.length + 1;
      }
      return debug.enabled && debug.log(new TextDecoder("utf-8").decode(buffer8.slice(orig_argv_buf, argv_buf))), 0;
    }, environ_sizes_get(environ_count, environ_size) {
      let buffer = new DataView(self.inst.exports.memory.buffer);
      buffer.setUint32(environ_count, self.env.length, !0);
      let buf_size = 0;
      for (let environ of self.env)
        buf_size += new TextEncoder().encode(environ).length + 1;
      return buffer.setUint32(environ_size, buf_size, !0), debug.log(buffer.getUint32(environ_count, !0), buffer.getUint32(environ_size, !0)), 0;
    }, environ_get(environ, environ_buf) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer), orig_environ_buf = environ_buf;
      for (let i = 0; i < self.env.length; i++) {
        buffer.setUint32(environ, environ_buf, !0), environ += 4;
        let e = new TextEncoder().encode(self.env[i]);
        buffer8.set(e, environ_buf), buffer.setUint8(environ_buf + e.length, 0), environ_buf += e.length + 1;
      }
      return debug.enabled && debug.log(new TextDecoder("utf-8").decode(buffer8.slice(orig_environ_buf, environ_buf))), 0;
    }, clock_res_get(id, res_ptr) {
      let resolutionValue;
      switch (id) {
        case 1: {
          resolutionValue = 5000n;
          break;
        }
        case 0: {
          resolutionValue = 1000000n;
          break;
        }
        default:
          return 52;
      }
      return new DataView(self.inst.exports.memory.buffer).setBigUint64(res_ptr, resolutionValue, !0), 0;
    }, clock_time_get(id, precision, time) {
      let buffer = new DataView(self.inst.exports.memory.buffer);
      if (id === 0)
        buffer.setBigUint64(time, BigInt((/* @__PURE__ */ new Date()).getTime()) * 1000000n, !0);
      else if (id == 1) {
        let monotonic_time;
        try {
          monotonic_time = BigInt(Math.round(performance.now() * 1e6));
        } catch {
          monotonic_time = 0n;
        }
        buffer.setBigUint64(time, monotonic_time, !0);
      } else
        buffer.setBigUint64(time, 0n, !0);
      return 0;
    }, fd_advise(fd, offset, len, advice) {
      return self.fds[fd] != null ? 0 : 8;
    }, fd_allocate(fd, offset, len) {
      return self.fds[fd] != null ? self.fds[fd].fd_allocate(offset, len) : 8;
    }, fd_close(fd) {
      if (self.fds[fd] != null) {
        let ret = self.fds[fd].fd_close();
        return self.fds[fd] = void 0, ret;
      } else
        return 8;
    }, fd_datasync(fd) {
      return self.fds[fd] != null ? self.fds[fd].fd_sync() : 8;
    }, fd_fdstat_get(fd, fdstat_ptr) {
      if (self.fds[fd] != null) {
        let { ret, fdstat } = self.fds[fd].fd_fdstat_get();
        return fdstat?.write_bytes(new DataView(self.inst.exports.memory.buffer), fdstat_ptr), ret;
      } else
        return 8;
    }, fd_fdstat_set_flags(fd, flags) {
      return self.fds[fd] != null ? self.fds[fd].fd_fdstat_set_flags(flags) : 8;
    }, fd_fdstat_set_rights(fd, fs_rights_base, fs_rights_inheriting) {
      return self.fds[fd] != null ? self.fds[fd].fd_fdstat_set_rights(fs_rights_base, fs_rights_inheriting) : 8;
    }, fd_filestat_get(fd, filestat_ptr) {
      if (self.fds[fd] != null) {
        let { ret, filestat } = self.fds[fd].fd_filestat_get();
        return filestat?.write_bytes(new DataView(self.inst.exports.memory.buffer), filestat_ptr), ret;
      } else
        return 8;
    }, fd_filestat_set_size(fd, size) {
      return self.fds[fd] != null ? self.fds[fd].fd_filestat_set_size(size) : 8;
    }, fd_filestat_set_times(fd, atim, mtim, fst_flags) {
      return self.fds[fd] != null ? self.fds[fd].fd_filestat_set_times(atim, mtim, fst_flags) : 8;
    }, fd_pread(fd, iovs_ptr, iovs_len, offset, nread_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let iovecs = Iovec.read_bytes_array(buffer, iovs_ptr, iovs_len), nread = 0;
        for (let iovec of iovecs) {
          let { ret, data } = self.fds[fd].fd_pread(iovec.buf_len, offset);
          if (ret != 0)
            return buffer.setUint32(nread_ptr, nread, !0), ret;
          if (buffer8.set(data, iovec.buf), nread += data.length, offset += BigInt(data.length), data.length != iovec.buf_len)
            break;
        }
        return buffer.setUint32(nread_ptr, nread, !0), 0;
      } else
        return 8;
    }, fd_prestat_get(fd, buf_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let { ret, prestat } = self.fds[fd].fd_prestat_get();
        return prestat?.write_bytes(buffer, buf_ptr), ret;
      } else
        return 8;
    }, fd_prestat_dir_name(fd, path_ptr, path_len) {
      if (self.fds[fd] != null) {
        let { ret, prestat } = self.fds[fd].fd_prestat_get();
        if (prestat == null)
          return ret;
        let prestat_dir_name = prestat.inner.pr_name;
        return new Uint8Array(self.inst.exports.memory.buffer).set(prestat_dir_name.slice(0, path_len), path_ptr), prestat_dir_name.byteLength > path_len ? 37 : 0;
      } else
        return 8;
    }, fd_pwrite(fd, iovs_ptr, iovs_len, offset, nwritten_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let iovecs = Ciovec.read_bytes_array(buffer, iovs_ptr, iovs_len), nwritten = 0;
        for (let iovec of iovecs) {
          let data = buffer8.slice(iovec.buf, iovec.buf + iovec.buf_len), { ret, nwritten: nwritten_part } = self.fds[fd].fd_pwrite(data, offset);
          if (ret != 0)
            return buffer.setUint32(nwritten_ptr, nwritten, !0), ret;
          if (nwritten += nwritten_part, offset += BigInt(nwritten_part), nwritten_part != data.byteLength)
            break;
        }
        return buffer.setUint32(nwritten_ptr, nwritten, !0), 0;
      } else
        return 8;
    }, fd_read(fd, iovs_ptr, iovs_len, nread_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let iovecs = Iovec.read_bytes_array(buffer, iovs_ptr, iovs_len), nread = 0;
        for (let iovec of iovecs) {
          let { ret, data } = self.fds[fd].fd_read(iovec.buf_len);
          if (ret != 0)
            return buffer.setUint32(nread_ptr, nread, !0), ret;
          if (buffer8.set(data, iovec.buf), nread += data.length, data.length != iovec.buf_len)
            break;
        }
        return buffer.setUint32(nread_ptr, nread, !0), 0;
      } else
        return 8;
    }, fd_readdir(fd, buf, buf_len, cookie, bufused_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let bufused = 0;
        for (; ; ) {
          let { ret, dirent } = self.fds[fd].fd_readdir_single(cookie);
          if (ret != 0)
            return buffer.setUint32(bufused_ptr, bufused, !0), ret;
          if (dirent == null)
            break;
          if (buf_len - bufused < dirent.head_length()) {
            bufused = buf_len;
            break;
          }
          let head_bytes = new ArrayBuffer(dirent.head_length());
          if (dirent.write_head_bytes(new DataView(head_bytes), 0), buffer8.set(new Uint8Array(head_bytes).slice(0, Math.min(head_bytes.byteLength, buf_len - bufused)), buf), buf += dirent.head_length(), bufused += dirent.head_length(), buf_len - bufused < dirent.name_length()) {
            bufused = buf_len;
            break;
          }
          dirent.write_name_bytes(buffer8, buf, buf_len - bufused), buf += dirent.name_length(), bufused += dirent.name_length(), cookie = dirent.d_next;
        }
        return buffer.setUint32(bufused_ptr, bufused, !0), 0;
      } else
        return 8;
    }, fd_renumber(fd, to) {
      if (self.fds[fd] != null && self.fds[to] != null) {
        let ret = self.fds[to].fd_close();
        return ret != 0 ? ret : (self.fds[to] = self.fds[fd], self.fds[fd] = void 0, 0);
      } else
        return 8;
    }, fd_seek(fd, offset, whence, offset_out_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let { ret, offset: offset_out } = self.fds[fd].fd_seek(offset, whence);
        return buffer.setBigInt64(offset_out_ptr, offset_out, !0), ret;
      } else
        return 8;
    }, fd_sync(fd) {
      return self.fds[fd] != null ? self.fds[fd].fd_sync() : 8;
    }, fd_tell(fd, offset_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let { ret, offset } = self.fds[fd].fd_tell();
        return buffer.setBigUint64(offset_ptr, offset, !0), ret;
      } else
        return 8;
    }, fd_write(fd, iovs_ptr, iovs_len, nwritten_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let iovecs = Ciovec.read_bytes_array(buffer, iovs_ptr, iovs_len), nwritten = 0;
        for (let iovec of iovecs) {
          let data = buffer8.slice(iovec.buf, iovec.buf + iovec.buf_len), { ret, nwritten: nwritten_part } = self.fds[fd].fd_write(data);
          if (ret != 0)
            return buffer.setUint32(nwritten_ptr, nwritten, !0), ret;
          if (nwritten += nwritten_part, nwritten_part != data.byteLength)
            break;
        }
        return buffer.setUint32(nwritten_ptr, nwritten, !0), 0;
      } else
        return 8;
    }, path_create_directory(fd, path_ptr, path_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len));
        return self.fds[fd].path_create_directory(path);
      } else
        return 8;
    }, path_filestat_get(fd, flags, path_ptr, path_len, filestat_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len)), { ret, filestat } = self.fds[fd].path_filestat_get(flags, path);
        return filestat?.write_bytes(buffer, filestat_ptr), ret;
      } else
        return 8;
    }, path_filestat_set_times(fd, flags, path_ptr, path_len, atim, mtim, fst_flags) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len));
        return self.fds[fd].path_filestat_set_times(flags, path, atim, mtim, fst_flags);
      } else
        return 8;
    }, path_link(old_fd, old_flags, old_path_ptr, old_path_len, new_fd, new_path_ptr, new_path_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[old_fd] != null && self.fds[new_fd] != null) {
        let old_path = new TextDecoder("utf-8").decode(buffer8.slice(old_path_ptr, old_path_ptr + old_path_len)), new_path = new TextDecoder("utf-8").decode(buffer8.slice(new_path_ptr, new_path_ptr + new_path_len)), { ret, inode_obj } = self.fds[old_fd].path_lookup(old_path, old_flags);
        return inode_obj == null ? ret : self.fds[new_fd].path_link(new_path, inode_obj, !1);
      } else
        return 8;
    }, path_open(fd, dirflags, path_ptr, path_len, oflags, fs_rights_base, fs_rights_inheriting, fd_flags, opened_fd_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len));
        debug.log(path);
        let { ret, fd_obj } = self.fds[fd].path_open(dirflags, path, oflags, fs_rights_base, fs_rights_inheriting, fd_flags);
        if (ret != 0)
          return ret;
        self.fds.push(fd_obj);
        let opened_fd = self.fds.length - 1;
        return buffer.setUint32(opened_fd_ptr, opened_fd, !0), 0;
      } else
        return 8;
    }, path_readlink(fd, path_ptr, path_len, buf_ptr, buf_len, nread_ptr) {
      let buffer = new DataView(self.inst.exports.memory.buffer), buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len));
        debug.log(path);
        let { ret, data } = self.fds[fd].path_readlink(path);
        if (data != null) {
          let data_buf = new TextEncoder().encode(data);
          if (data_buf.length > buf_len)
            return buffer.setUint32(nread_ptr, 0, !0), 8;
          buffer8.set(data_buf, buf_ptr), buffer.setUint32(nread_ptr, data_buf.length, !0);
        }
        return ret;
      } else
        return 8;
    }, path_remove_directory(fd, path_ptr, path_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len));
        return self.fds[fd].path_remove_directory(path);
      } else
        return 8;
    }, path_rename(fd, old_path_ptr, old_path_len, new_fd, new_path_ptr, new_path_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null && self.fds[new_fd] != null) {
        let old_path = new TextDecoder("utf-8").decode(buffer8.slice(old_path_ptr, old_path_ptr + old_path_len)), new_path = new TextDecoder("utf-8").decode(buffer8.slice(new_path_ptr, new_path_ptr + new_path_len)), { ret, inode_obj } = self.fds[fd].path_unlink(old_path);
        if (inode_obj == null)
          return ret;
        if (ret = self.fds[new_fd].path_link(new_path, inode_obj, !0), ret != 0 && self.fds[fd].path_link(old_path, inode_obj, !0) != 0)
          throw "path_link should always return success when relinking an inode back to the original place";
        return ret;
      } else
        return 8;
    }, path_symlink(old_path_ptr, old_path_len, fd, new_path_ptr, new_path_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let old_path = new TextDecoder("utf-8").decode(buffer8.slice(old_path_ptr, old_path_ptr + old_path_len)), new_path = new TextDecoder("utf-8").decode(buffer8.slice(new_path_ptr, new_path_ptr + new_path_len));
        return 58;
      } else
        return 8;
    }, path_unlink_file(fd, path_ptr, path_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer);
      if (self.fds[fd] != null) {
        let path = new TextDecoder("utf-8").decode(buffer8.slice(path_ptr, path_ptr + path_len));
        return self.fds[fd].path_unlink_file(path);
      } else
        return 8;
    }, poll_oneoff(in_ptr, out_ptr, nsubscriptions) {
      if (nsubscriptions === 0)
        return 28;
      if (nsubscriptions > 1)
        return debug.log("poll_oneoff: only a single subscription is supported"), 58;
      let buffer = new DataView(self.inst.exports.memory.buffer), s = Subscription.read_bytes(buffer, in_ptr), eventtype = s.eventtype, clockid = s.clockid, timeout = s.timeout;
      if (eventtype !== EVENTTYPE_CLOCK)
        return debug.log("poll_oneoff: only clock subscriptions are supported"), 58;
      let getNow;
      if (clockid === 1)
        getNow = () => BigInt(Math.round(performance.now() * 1e6));
      else if (clockid === 0)
        getNow = () => BigInt((/* @__PURE__ */ new Date()).getTime()) * 1000000n;
      else
        return 28;
      let endTime = (s.flags & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0 ? timeout : getNow() + timeout;
      for (; endTime > getNow(); )
        ;
      return new Event(s.userdata, 0, eventtype).write_bytes(buffer, out_ptr), 0;
    }, proc_exit(exit_code) {
      throw new WASIProcExit(exit_code);
    }, proc_raise(sig) {
      throw "raised signal " + sig;
    }, sched_yield() {
    }, random_get(buf, buf_len) {
      let buffer8 = new Uint8Array(self.inst.exports.memory.buffer).subarray(buf, buf + buf_len);
      if ("crypto" in globalThis && (typeof SharedArrayBuffer > "u" || !(self.inst.exports.memory.buffer instanceof SharedArrayBuffer)))
        for (let i = 0; i < buf_len; i += 65536)
          crypto.getRandomValues(buffer8.subarray(i, i + 65536));
      else
        for (let i = 0; i < buf_len; i++)
          buffer8[i] = Math.random() * 256 | 0;
    }, sock_recv(fd, ri_data, ri_flags) {
      throw "sockets not supported";
    }, sock_send(fd, si_data, si_flags) {
      throw "sockets not supported";
    }, sock_shutdown(fd, how) {
      throw "sockets not supported";
    }, sock_accept(fd, flags) {
      throw "sockets not supported";
    } };
  }
};

// node_modules/@bjorn3/browser_wasi_shim/dist/fd.js
var Fd = class {
  fd_allocate(offset, len) {
    return 58;
  }
  fd_close() {
    return 0;
  }
  fd_fdstat_get() {
    return { ret: 58, fdstat: null };
  }
  fd_fdstat_set_flags(flags) {
    return 58;
  }
  fd_fdstat_set_rights(fs_rights_base, fs_rights_inheriting) {
    return 58;
  }
  fd_filestat_get() {
    return { ret: 58, filestat: null };
  }
  fd_filestat_set_size(size) {
    return 58;
  }
  fd_filestat_set_times(atim, mtim, fst_flags) {
    return 58;
  }
  fd_pread(size, offset) {
    return { ret: 58, data: new Uint8Array() };
  }
  fd_prestat_get() {
    return { ret: 58, prestat: null };
  }
  fd_pwrite(data, offset) {
    return { ret: 58, nwritten: 0 };
  }
  fd_read(size) {
    return { ret: 58, data: new Uint8Array() };
  }
  fd_readdir_single(cookie) {
    return { ret: 58, dirent: null };
  }
  fd_seek(offset, whence) {
    return { ret: 58, offset: 0n };
  }
  fd_sync() {
    return 0;
  }
  fd_tell() {
    return { ret: 58, offset: 0n };
  }
  fd_write(data) {
    return { ret: 58, nwritten: 0 };
  }
  path_create_directory(path) {
    return 58;
  }
  path_filestat_get(flags, path) {
    return { ret: 58, filestat: null };
  }
  path_filestat_set_times(flags, path, atim, mtim, fst_flags) {
    return 58;
  }
  path_link(path, inode, allow_dir) {
    return 58;
  }
  path_unlink(path) {
    return { ret: 58, inode_obj: null };
  }
  path_lookup(path, dirflags) {
    return { ret: 58, inode_obj: null };
  }
  path_open(dirflags, path, oflags, fs_rights_base, fs_rights_inheriting, fd_flags) {
    return { ret: 54, fd_obj: null };
  }
  path_readlink(path) {
    return { ret: 58, data: null };
  }
  path_remove_directory(path) {
    return 58;
  }
  path_rename(old_path, new_fd, new_path) {
    return 58;
  }
  path_unlink_file(path) {
    return 58;
  }
}, Inode = class _Inode {
  static issue_ino() {
    return _Inode.next_ino++;
  }
  static root_ino() {
    return 0n;
  }
  constructor() {
    this.ino = _Inode.issue_ino();
  }
};
Inode.next_ino = 1n;

// node_modules/@bjorn3/browser_wasi_shim/dist/fs_mem.js
var OpenFile = class extends Fd {
  fd_allocate(offset, len) {
    if (!(this.file.size > offset + len)) {
      let new_data = new Uint8Array(Number(offset + len));
      new_data.set(this.file.data, 0), this.file.data = new_data;
    }
    return 0;
  }
  fd_fdstat_get() {
    return { ret: 0, fdstat: new Fdstat(FILETYPE_REGULAR_FILE, 0) };
  }
  fd_filestat_set_size(size) {
    if (this.file.size > size)
      this.file.data = new Uint8Array(this.file.data.buffer.slice(0, Number(size)));
    else {
      let new_data = new Uint8Array(Number(size));
      new_data.set(this.file.data, 0), this.file.data = new_data;
    }
    return 0;
  }
  fd_read(size) {
    let slice = this.file.data.slice(Number(this.file_pos), Number(this.file_pos + BigInt(size)));
    return this.file_pos += BigInt(slice.length), { ret: 0, data: slice };
  }
  fd_pread(size, offset) {
    return { ret: 0, data: this.file.data.slice(Number(offset), Number(offset + BigInt(size))) };
  }
  fd_seek(offset, whence) {
    let calculated_offset;
    switch (whence) {
      case WHENCE_SET:
        calculated_offset = offset;
        break;
      case WHENCE_CUR:
        calculated_offset = this.file_pos + offset;
        break;
      case WHENCE_END:
        calculated_offset = BigInt(this.file.data.byteLength) + offset;
        break;
      default:
        return { ret: 28, offset: 0n };
    }
    return calculated_offset < 0 ? { ret: 28, offset: 0n } : (this.file_pos = calculated_offset, { ret: 0, offset: this.file_pos });
  }
  fd_tell() {
    return { ret: 0, offset: this.file_pos };
  }
  fd_write(data) {
    if (this.file.readonly) return { ret: 8, nwritten: 0 };
    if (this.file_pos + BigInt(data.byteLength) > this.file.size) {
      let old = this.file.data;
      this.file.data = new Uint8Array(Number(this.file_pos + BigInt(data.byteLength))), this.file.data.set(old);
    }
    return this.file.data.set(data, Number(this.file_pos)), this.file_pos += BigInt(data.byteLength), { ret: 0, nwritten: data.byteLength };
  }
  fd_pwrite(data, offset) {
    if (this.file.readonly) return { ret: 8, nwritten: 0 };
    if (offset + BigInt(data.byteLength) > this.file.size) {
      let old = this.file.data;
      this.file.data = new Uint8Array(Number(offset + BigInt(data.byteLength))), this.file.data.set(old);
    }
    return this.file.data.set(data, Number(offset)), { ret: 0, nwritten: data.byteLength };
  }
  fd_filestat_get() {
    return { ret: 0, filestat: this.file.stat() };
  }
  constructor(file) {
    super(), this.file_pos = 0n, this.file = file;
  }
}, OpenDirectory = class extends Fd {
  fd_seek(offset, whence) {
    return { ret: 8, offset: 0n };
  }
  fd_tell() {
    return { ret: 8, offset: 0n };
  }
  fd_allocate(offset, len) {
    return 8;
  }
  fd_fdstat_get() {
    return { ret: 0, fdstat: new Fdstat(FILETYPE_DIRECTORY, 0) };
  }
  fd_readdir_single(cookie) {
    if (debug.enabled && (debug.log("readdir_single", cookie), debug.log(cookie, this.dir.contents.keys())), cookie == 0n)
      return { ret: 0, dirent: new Dirent(1n, this.dir.ino, ".", FILETYPE_DIRECTORY) };
    if (cookie == 1n)
      return { ret: 0, dirent: new Dirent(2n, this.dir.parent_ino(), "..", FILETYPE_DIRECTORY) };
    if (cookie >= BigInt(this.dir.contents.size) + 2n)
      return { ret: 0, dirent: null };
    let [name, entry] = Array.from(this.dir.contents.entries())[Number(cookie - 2n)];
    return { ret: 0, dirent: new Dirent(cookie + 1n, entry.ino, name, entry.stat().filetype) };
  }
  path_filestat_get(flags, path_str) {
    let { ret: path_err, path } = Path.from(path_str);
    if (path == null)
      return { ret: path_err, filestat: null };
    let { ret, entry } = this.dir.get_entry_for_path(path);
    return entry == null ? { ret, filestat: null } : { ret: 0, filestat: entry.stat() };
  }
  path_lookup(path_str, dirflags) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return { ret: path_ret, inode_obj: null };
    let { ret, entry } = this.dir.get_entry_for_path(path);
    return entry == null ? { ret, inode_obj: null } : { ret: 0, inode_obj: entry };
  }
  path_open(dirflags, path_str, oflags, fs_rights_base, fs_rights_inheriting, fd_flags) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return { ret: path_ret, fd_obj: null };
    let { ret, entry } = this.dir.get_entry_for_path(path);
    if (entry == null) {
      if (ret != 44)
        return { ret, fd_obj: null };
      if ((oflags & OFLAGS_CREAT) == OFLAGS_CREAT) {
        let { ret: ret2, entry: new_entry } = this.dir.create_entry_for_path(path_str, (oflags & OFLAGS_DIRECTORY) == OFLAGS_DIRECTORY);
        if (new_entry == null)
          return { ret: ret2, fd_obj: null };
        entry = new_entry;
      } else
        return { ret: 44, fd_obj: null };
    } else if ((oflags & OFLAGS_EXCL) == OFLAGS_EXCL)
      return { ret: 20, fd_obj: null };
    return (oflags & OFLAGS_DIRECTORY) == OFLAGS_DIRECTORY && entry.stat().filetype !== FILETYPE_DIRECTORY ? { ret: 54, fd_obj: null } : entry.path_open(oflags, fs_rights_base, fd_flags);
  }
  path_create_directory(path) {
    return this.path_open(0, path, OFLAGS_CREAT | OFLAGS_DIRECTORY, 0n, 0n, 0).ret;
  }
  path_link(path_str, inode, allow_dir) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return path_ret;
    if (path.is_dir)
      return 44;
    let { ret: parent_ret, parent_entry, filename, entry } = this.dir.get_parent_dir_and_entry_for_path(path, !0);
    if (parent_entry == null || filename == null)
      return parent_ret;
    if (entry != null) {
      let source_is_dir = inode.stat().filetype == FILETYPE_DIRECTORY, target_is_dir = entry.stat().filetype == FILETYPE_DIRECTORY;
      if (source_is_dir && target_is_dir)
        if (allow_dir && entry instanceof Directory) {
          if (entry.contents.size != 0)
            return 55;
        } else
          return 20;
      else {
        if (source_is_dir && !target_is_dir)
          return 54;
        if (!source_is_dir && target_is_dir)
          return 31;
        if (!(inode.stat().filetype == FILETYPE_REGULAR_FILE && entry.stat().filetype == FILETYPE_REGULAR_FILE))
          return 20;
      }
    }
    return !allow_dir && inode.stat().filetype == FILETYPE_DIRECTORY ? 63 : (parent_entry.contents.set(filename, inode), 0);
  }
  path_unlink(path_str) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return { ret: path_ret, inode_obj: null };
    let { ret: parent_ret, parent_entry, filename, entry } = this.dir.get_parent_dir_and_entry_for_path(path, !0);
    return parent_entry == null || filename == null ? { ret: parent_ret, inode_obj: null } : entry == null ? { ret: 44, inode_obj: null } : (parent_entry.contents.delete(filename), { ret: 0, inode_obj: entry });
  }
  path_unlink_file(path_str) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return path_ret;
    let { ret: parent_ret, parent_entry, filename, entry } = this.dir.get_parent_dir_and_entry_for_path(path, !1);
    return parent_entry == null || filename == null || entry == null ? parent_ret : entry.stat().filetype === FILETYPE_DIRECTORY ? 31 : (parent_entry.contents.delete(filename), 0);
  }
  path_remove_directory(path_str) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return path_ret;
    let { ret: parent_ret, parent_entry, filename, entry } = this.dir.get_parent_dir_and_entry_for_path(path, !1);
    return parent_entry == null || filename == null || entry == null ? parent_ret : !(entry instanceof Directory) || entry.stat().filetype !== FILETYPE_DIRECTORY ? 54 : entry.contents.size !== 0 ? 55 : parent_entry.contents.delete(filename) ? 0 : 44;
  }
  fd_filestat_get() {
    return { ret: 0, filestat: this.dir.stat() };
  }
  fd_filestat_set_size(size) {
    return 8;
  }
  fd_read(size) {
    return { ret: 8, data: new Uint8Array() };
  }
  fd_pread(size, offset) {
    return { ret: 8, data: new Uint8Array() };
  }
  fd_write(data) {
    return { ret: 8, nwritten: 0 };
  }
  fd_pwrite(data, offset) {
    return { ret: 8, nwritten: 0 };
  }
  constructor(dir) {
    super(), this.dir = dir;
  }
}, PreopenDirectory = class extends OpenDirectory {
  fd_prestat_get() {
    return { ret: 0, prestat: Prestat.dir(this.prestat_name) };
  }
  constructor(name, contents) {
    super(new Directory(contents)), this.prestat_name = name;
  }
}, File = class extends Inode {
  path_open(oflags, fs_rights_base, fd_flags) {
    if (this.readonly && (fs_rights_base & BigInt(64)) == BigInt(64))
      return { ret: 63, fd_obj: null };
    if ((oflags & OFLAGS_TRUNC) == OFLAGS_TRUNC) {
      if (this.readonly) return { ret: 63, fd_obj: null };
      this.data = new Uint8Array([]);
    }
    let file = new OpenFile(this);
    return fd_flags & FDFLAGS_APPEND && file.fd_seek(0n, WHENCE_END), { ret: 0, fd_obj: file };
  }
  get size() {
    return BigInt(this.data.byteLength);
  }
  stat() {
    return new Filestat(this.ino, FILETYPE_REGULAR_FILE, this.size);
  }
  constructor(data, options) {
    super(), this.data = new Uint8Array(data), this.readonly = !!options?.readonly;
  }
}, Path = class Path2 {
  static from(path) {
    let self = new Path2();
    if (self.is_dir = path.endsWith("/"), path.startsWith("/"))
      return { ret: 76, path: null };
    if (path.includes("\0"))
      return { ret: 28, path: null };
    for (let component of path.split("/"))
      if (!(component === "" || component === ".")) {
        if (component === "..") {
          if (self.parts.pop() == null)
            return { ret: 76, path: null };
          continue;
        }
        self.parts.push(component);
      }
    return { ret: 0, path: self };
  }
  to_path_string() {
    let s = this.parts.join("/");
    return this.is_dir && (s += "/"), s;
  }
  constructor() {
    this.parts = [], this.is_dir = !1;
  }
}, Directory = class _Directory extends Inode {
  parent_ino() {
    return this.parent == null ? Inode.root_ino() : this.parent.ino;
  }
  path_open(oflags, fs_rights_base, fd_flags) {
    return { ret: 0, fd_obj: new OpenDirectory(this) };
  }
  stat() {
    return new Filestat(this.ino, FILETYPE_DIRECTORY, 0n);
  }
  get_entry_for_path(path) {
    let entry = this;
    for (let component of path.parts) {
      if (!(entry instanceof _Directory))
        return { ret: 54, entry: null };
      let child = entry.contents.get(component);
      if (child !== void 0)
        entry = child;
      else
        return debug.log(component), { ret: 44, entry: null };
    }
    return path.is_dir && entry.stat().filetype != FILETYPE_DIRECTORY ? { ret: 54, entry: null } : { ret: 0, entry };
  }
  get_parent_dir_and_entry_for_path(path, allow_undefined) {
    let filename = path.parts.pop();
    if (filename === void 0)
      return { ret: 28, parent_entry: null, filename: null, entry: null };
    let { ret: entry_ret, entry: parent_entry } = this.get_entry_for_path(path);
    if (parent_entry == null)
      return { ret: entry_ret, parent_entry: null, filename: null, entry: null };
    if (!(parent_entry instanceof _Directory))
      return { ret: 54, parent_entry: null, filename: null, entry: null };
    let entry = parent_entry.contents.get(filename);
    return entry === void 0 ? allow_undefined ? { ret: 0, parent_entry, filename, entry: null } : { ret: 44, parent_entry: null, filename: null, entry: null } : path.is_dir && entry.stat().filetype != FILETYPE_DIRECTORY ? { ret: 54, parent_entry: null, filename: null, entry: null } : { ret: 0, parent_entry, filename, entry };
  }
  create_entry_for_path(path_str, is_dir) {
    let { ret: path_ret, path } = Path.from(path_str);
    if (path == null)
      return { ret: path_ret, entry: null };
    let { ret: parent_ret, parent_entry, filename, entry } = this.get_parent_dir_and_entry_for_path(path, !0);
    if (parent_entry == null || filename == null)
      return { ret: parent_ret, entry: null };
    if (entry != null)
      return { ret: 20, entry: null };
    debug.log("create", path);
    let new_child;
    return is_dir ? new_child = new _Directory(/* @__PURE__ */ new Map()) : new_child = new File(new ArrayBuffer(0)), parent_entry.contents.set(filename, new_child), entry = new_child, { ret: 0, entry };
  }
  constructor(contents) {
    super(), this.parent = null, contents instanceof Array ? this.contents = new Map(contents) : this.contents = contents;
    for (let entry of this.contents.values())
      entry instanceof _Directory && (entry.parent = this);
  }
}, ConsoleStdout = class _ConsoleStdout extends Fd {
  fd_filestat_get() {
    return { ret: 0, filestat: new Filestat(this.ino, FILETYPE_CHARACTER_DEVICE, BigInt(0)) };
  }
  fd_fdstat_get() {
    let fdstat = new Fdstat(FILETYPE_CHARACTER_DEVICE, 0);
    return fdstat.fs_rights_base = BigInt(64), { ret: 0, fdstat };
  }
  fd_write(data) {
    return this.write(data), { ret: 0, nwritten: data.byteLength };
  }
  static lineBuffered(write) {
    let dec = new TextDecoder("utf-8", { fatal: !1 }), line_buf = "";
    return new _ConsoleStdout((buffer) => {
      line_buf += dec.decode(buffer, { stream: !0 });
      let lines = line_buf.split(`
`);
      for (let [i, line] of lines.entries())
        i < lines.length - 1 ? write(line) : line_buf = line;
    });
  }
  constructor(write) {
    super(), this.ino = Inode.issue_ino(), this.write = write;
  }
};

// node_modules/@bjorn3/browser_wasi_shim/dist/fs_opfs.js
var SyncOPFSFile = class extends Inode {
  path_open(oflags, fs_rights_base, fd_flags) {
    if (this.readonly && (fs_rights_base & BigInt(64)) == BigInt(64))
      return { ret: 63, fd_obj: null };
    if ((oflags & OFLAGS_TRUNC) == OFLAGS_TRUNC) {
      if (this.readonly) return { ret: 63, fd_obj: null };
      this.handle.truncate(0);
    }
    let file = new OpenSyncOPFSFile(this);
    return fd_flags & FDFLAGS_APPEND && file.fd_seek(0n, WHENCE_END), { ret: 0, fd_obj: file };
  }
  get size() {
    return BigInt(this.handle.getSize());
  }
  stat() {
    return new Filestat(this.ino, FILETYPE_REGULAR_FILE, this.size);
  }
  constructor(handle, options) {
    super(), this.handle = handle, this.readonly = !!options?.readonly;
  }
}, OpenSyncOPFSFile = class extends Fd {
  fd_allocate(offset, len) {
    return BigInt(this.file.handle.getSize()) > offset + len || this.file.handle.truncate(Number(offset + len)), 0;
  }
  fd_fdstat_get() {
    return { ret: 0, fdstat: new Fdstat(FILETYPE_REGULAR_FILE, 0) };
  }
  fd_filestat_get() {
    return { ret: 0, filestat: new Filestat(this.ino, FILETYPE_REGULAR_FILE, BigInt(this.file.handle.getSize())) };
  }
  fd_filestat_set_size(size) {
    return this.file.handle.truncate(Number(size)), 0;
  }
  fd_read(size) {
    let buf = new Uint8Array(size), n = this.file.handle.read(buf, { at: Number(this.position) });
    return this.position += BigInt(n), { ret: 0, data: buf.slice(0, n) };
  }
  fd_seek(offset, whence) {
    let calculated_offset;
    switch (whence) {
      case WHENCE_SET:
        calculated_offset = BigInt(offset);
        break;
      case WHENCE_CUR:
        calculated_offset = this.position + BigInt(offset);
        break;
      case WHENCE_END:
        calculated_offset = BigInt(this.file.handle.getSize()) + BigInt(offset);
        break;
      default:
        return { ret: 28, offset: 0n };
    }
    return calculated_offset < 0 ? { ret: 28, offset: 0n } : (this.position = calculated_offset, { ret: 0, offset: this.position });
  }
  fd_write(data) {
    if (this.file.readonly) return { ret: 8, nwritten: 0 };
    let n = this.file.handle.write(data, { at: Number(this.position) });
    return this.position += BigInt(n), { ret: 0, nwritten: n };
  }
  fd_sync() {
    return this.file.handle.flush(), 0;
  }
  constructor(file) {
    super(), this.position = 0n, this.file = file, this.ino = Inode.issue_ino();
  }
};

// node_modules/@bjorn3/browser_wasi_shim/dist/strace.js
function strace(imports, no_trace) {
  return new Proxy(imports, { get(target, prop, receiver) {
    let f = Reflect.get(target, prop, receiver);
    return no_trace.includes(prop) ? f : function(...args) {
      console.log(prop, "(", ...args, ")");
      let result = Reflect.apply(f, receiver, args);
      return console.log(" =", result), result;
    };
  } });
}
export {
  ConsoleStdout,
  Directory,
  Fd,
  File,
  Inode,
  OpenDirectory,
  OpenFile,
  OpenSyncOPFSFile,
  PreopenDirectory,
  SyncOPFSFile,
  WASI,
  WASIProcExit,
  strace,
  wasi_defs_exports as wasi
};
