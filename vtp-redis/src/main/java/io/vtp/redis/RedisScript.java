package io.vtp.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run with {@code EVALSHA}: one round trip per call. The SHA-1 is computed locally, so nothing is
 * sent ahead of the first call; when a server answers {@code NOSCRIPT} (first use, a restart, a failover, a
 * {@code SCRIPT FLUSH}, or a cluster node that never saw it) the call is retried once with {@code EVAL}, which
 * runs the script and caches it on that node.
 *
 * <p>Scripts live in resource files, never built from input. Every key a script touches must be passed in
 * {@code keys}, and on Redis Cluster all of them must share one hash slot ({@code {tag}}).
 *
 * <p>Immutable and thread-safe; share one instance per script.
 */
public final class RedisScript {
  private final String name;
  private final String source;
  private final String sha1;

  private RedisScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1Hex(source);
  }

  /**
   * Loads a script from a class-path resource (UTF-8). In a named module, the anchor's package must be open to
   * this module for its resources to be found: {@code opens com.example.scripts to io.vtp.redis;}.
   *
   * @param anchor the class whose loader and package the path is relative to; not {@code null}
   * @param resource the resource path, e.g. {@code "find.lua"} (relative to the anchor's package) or an absolute
   *     {@code "/io/vtp/x/find.lua"}; not {@code null}
   * @return the script; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when the resource does not exist or cannot be read
   */
  public static RedisScript fromResource(Class<?> anchor, String resource) {
    Objects.requireNonNull(anchor, "anchor");
    Objects.requireNonNull(resource, "resource");
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("script resource " + resource + " not found next to " + anchor.getName());
      }
      return new RedisScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("script resource " + resource + " could not be read: " + e.getMessage(), e);
    }
  }

  /**
   * Creates a script from source text (for tests and tools; production scripts come from resources).
   *
   * @param name a name for messages; not {@code null}
   * @param source the Lua source; not {@code null}
   * @return the script; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static RedisScript of(String name, String source) {
    return new RedisScript(Objects.requireNonNull(name, "name"), Objects.requireNonNull(source, "source"));
  }

  /**
   * Returns the script's name.
   *
   * @return its resource path or the name given to {@link #of}; never {@code null}
   */
  public String name() {
    return name;
  }

  /**
   * Returns the script's SHA-1, as Redis computes it.
   *
   * @return 40 lower-case hex digits; never {@code null}
   */
  public String sha1() {
    return sha1;
  }

  /**
   * Returns the Lua source.
   *
   * @return the source text; never {@code null}
   */
  public String source() {
    return source;
  }

  /**
   * Runs the script: one {@code EVALSHA}, plus one {@code EVAL} only when the server does not know the script
   * yet. On a cluster client the call goes to the node owning the first key.
   *
   * @param jedis any Jedis 8 client (standalone, Sentinel or Cluster); not {@code null}
   * @param keys the keys the script touches (same hash slot on Cluster); may be empty, not {@code null}
   * @param args the script arguments; may be empty, not {@code null}
   * @return the script's reply as Jedis decodes it (Long, String, List, or {@code null} for a Lua nil)
   * @throws NullPointerException when an argument is {@code null}
   * @throws redis.clients.jedis.exceptions.JedisException on any Redis or connection error
   */
  public Object eval(UnifiedJedis jedis, List<String> keys, List<String> args) {
    Objects.requireNonNull(jedis, "jedis");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(args, "args");
    try {
      return jedis.evalsha(sha1, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source, keys, args);
    }
  }

  /**
   * Runs the script with binary keys and arguments; see {@link #eval(UnifiedJedis, List, List)}.
   *
   * @param jedis any Jedis 8 client; not {@code null}
   * @param keys binary keys; may be empty, not {@code null}
   * @param args binary arguments; may be empty, not {@code null}
   * @return the raw reply (byte arrays are not decoded), or {@code null} for a Lua nil
   * @throws NullPointerException when an argument is {@code null}
   * @throws redis.clients.jedis.exceptions.JedisException on any Redis or connection error
   */
  public Object evalBinary(UnifiedJedis jedis, List<byte[]> keys, List<byte[]> args) {
    Objects.requireNonNull(jedis, "jedis");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(args, "args");
    try {
      return jedis.evalsha(sha1.getBytes(StandardCharsets.US_ASCII), keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source.getBytes(StandardCharsets.UTF_8), keys, args);
    }
  }

  /**
   * Queues the script on a pipeline, for a {@link PipelinedCall}: one {@code EVALSHA} in the pipeline's round trip.
   * Read its reply with {@link Queued#reply(UnifiedJedis)} after the pipeline was synced.
   *
   * @param pipeline the pipeline; not {@code null}
   * @param keys the keys the script touches (same hash slot on Cluster); not {@code null}
   * @param args the script arguments; not {@code null}
   * @return the queued call; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   * @throws redis.clients.jedis.exceptions.JedisException when the pipeline cannot take the command (a cluster
   *     pipeline connects to the key's node here)
   */
  public Queued queue(AbstractPipeline pipeline, List<String> keys, List<String> args) {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(args, "args");
    return new Queued(this, pipeline.evalsha(sha1, keys, args), keys, args);
  }

  /**
   * A script queued on a pipeline by {@link #queue}. Not thread-safe: it belongs to the pipeline's thread.
   */
  public static final class Queued {
    private final RedisScript script;
    private final Response<Object> response;
    private final List<String> keys;
    private final List<String> args;

    private Queued(RedisScript script, Response<Object> response, List<String> keys, List<String> args) {
      this.script = script;
      this.response = response;
      this.keys = keys;
      this.args = args;
    }

    /**
     * Returns the script's reply, after the pipeline was synced. When the server did not run the script (it
     * answered {@code NOSCRIPT}, or on a cluster a redirection, {@code TRYAGAIN} or {@code CLUSTERDOWN}), the
     * script is run again directly on {@code jedis}: one more round trip, rare; any other error reply is thrown.
     *
     * @param jedis the client the pipeline came from; not {@code null}
     * @return the reply as {@link RedisScript#eval} returns it
     * @throws redis.clients.jedis.exceptions.JedisException the script's error reply, or a failure of the
     *     direct call
     */
    public Object reply(UnifiedJedis jedis) {
      Objects.requireNonNull(jedis, "jedis");
      try {
        return response.get();
      } catch (JedisNoScriptException e) {
        return jedis.eval(script.source, keys, args);
      } catch (JedisRedirectionException | JedisClusterException e) {
        return script.eval(jedis, keys, args);
      } catch (JedisDataException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.startsWith("NOSCRIPT")) {
          return jedis.eval(script.source, keys, args);
        }
        if (m.startsWith("TRYAGAIN") || m.startsWith("MOVED") || m.startsWith("ASK") || m.startsWith("CLUSTERDOWN")) {
          return script.eval(jedis, keys, args);
        }
        throw e;
      }
    }
  }

  private static String sha1Hex(String source) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(40);
      for (byte b : digest) {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "RedisScript[" + name + " " + sha1 + "]";
  }
}
