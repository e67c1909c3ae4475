package io.vtp.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CapacityModelTest {
  private static final String SYSTEM = "{\"fixedRate\": 700, \"measurements\": ["
      + "{\"target\":\"app\",\"instances\":1,\"endpoint\":\"course\",\"title\":\"course read\","
      + "\"cpu\":{\"backendsMsPerRequest\":9,\"nginxMsPerRequest\":9,\"redisMsPerRequest\":9}},"
      + "{\"target\":\"app\",\"instances\":3,\"endpoint\":\"course\",\"title\":\"course read\","
      + "\"search\":{\"maxSustainable\":2500},"
      + "\"cpu\":{\"backendsMsPerRequest\":0.9,\"nginxMsPerRequest\":0.2,\"redisMsPerRequest\":0.2},"
      + "\"loaded\":{\"rate\":2000,\"cpu\":{\"backendsMsPerRequest\":0.5,\"nginxMsPerRequest\":0.1,"
      + "\"redisMsPerRequest\":0.05,\"postgresMsPerRequest\":0.0},"
      + "\"server\":{\"redisCommands\":6.0,\"postgresTransactions\":0.01}}},"
      + "{\"target\":\"floor\",\"instances\":3,\"endpoint\":\"floor\",\"cpu\":{\"backendsMsPerRequest\":0.1}}]}";

  @Test
  void costs_comeFromTheLargestInstanceCount_nearCapacityWhenMeasured() throws Exception {
    JsonNode root = new ObjectMapper().readTree(SYSTEM);

    CapacityModel.Costs c = CapacityModel.costs(root, "course");

    assertThat(c.instances()).isEqualTo(3);
    assertThat(c.measuredAt()).isEqualTo(2000);
    assertThat(c.backendMs()).isEqualTo(0.5);
    assertThat(c.redisCommands()).isEqualTo(6.0);
    assertThat(CapacityModel.costs(root, "mixed")).isNull();
  }

  @Test
  void markdown_sizesEveryTierFromTheCostsAt70PercentUtilization() throws Exception {
    CapacityModel.Costs c = CapacityModel.costs(new ObjectMapper().readTree(SYSTEM), "course");

    String md = CapacityModel.markdown(c, null);

    // 10,000 req/s x 0.5 ms = 5 cores of backends = 4 instances of 2 cores at 70 %; Redis 0.5 core = 1 shard.
    assertThat(md).contains("| 10,000 | 4 | 1.4 | 1 | 0.0 | 0.0 | nothing: add instances |");
    // 50,000 req/s: 2.5 cores of Redis = 4 shards at 70 %.
    assertThat(md).contains("| 50,000 | 18 | 7.1 | 4 |");
    assertThat(md).contains("one Redis shard about 14,000");
  }
}
