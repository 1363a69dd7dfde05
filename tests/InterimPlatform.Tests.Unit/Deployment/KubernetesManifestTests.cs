using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.NativeServers;
using InterimPlatform.Tests.Deployment;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace InterimPlatform.Tests.Unit.Deployment;

/// <summary>
/// deploy/kubernetes against the AppHost's publish-mode model (docs/deploy.md): each overlay rendered (the test's
/// Kustomize subset, <see cref="KustomizeRenderer"/>) and parsed with the Kubernetes client's models, then compared with
/// the Aspire manifest the AppHost's manifest publisher writes.
/// </summary>
public sealed partial class KubernetesManifestTests(AspireManifest manifest) : IClassFixture<AspireManifest>
{
    public static TheoryData<string> Overlays => new() { "small", "production" };

    /// <summary>Environment the cluster must give a service exactly as the model does.</summary>
    private static readonly string[] s_modelPrefixes = ["ConnectionStrings__", "services__", "GatewayIdentity__", "OTEL_"];

    private static IReadOnlyList<IKubernetesObject> Render(string overlay) =>
        KustomizeRenderer.Render(Path.Combine(KustomizeRenderer.DeployDirectory(Checkout.Root()), "overlays", overlay));

    private static V1Container Container(V1Deployment deployment) =>
        Assert.Single(deployment.Spec.Template.Spec.Containers, c => c.Name == deployment.Metadata.Name);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_object_parses_with_the_Kubernetes_models(string overlay)
    {
        var objects = Render(overlay);

        Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.Kind)));
        Assert.All(objects.OfType<IMetadata<V1ObjectMeta>>(), o => Assert.False(string.IsNullOrEmpty(o.Metadata?.Name), $"a {((IKubernetesObject)o).Kind} without a name"));
        Assert.All(objects.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace), o => Assert.Equal("interim-platform", o.Metadata.NamespaceProperty));
        var duplicates = objects.Cast<IMetadata<V1ObjectMeta>>().GroupBy(o => (((IKubernetesObject)o).Kind, o.Metadata.Name)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        // What the issue asks of the cluster: each service, the broker, the database server, the collector.
        Assert.Equal(["candidates", "engagements", "gateway", "matching", "otel-collector"], objects.OfType<V1Deployment>().Select(d => d.Metadata.Name).Order());
        Assert.Equal(3, Convert.ToInt32(objects.Named<RabbitmqCluster>("interim-rabbitmq").Spec["replicas"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, Convert.ToInt32(objects.Named<CnpgCluster>("interim-postgres").Spec["instances"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_project_has_a_Deployment_with_the_models_environment(string overlay)
    {
        var objects = Render(overlay);
        Assert.NotEmpty(manifest.Projects);
        foreach (var (name, project) in manifest.Projects)
        {
            var deployment = objects.Named<V1Deployment>(name);
            var env = Container(deployment).Env.ToDictionary(e => e.Name);
            var model = AspireManifest.Environment(project);

            // The four families match exactly, both ways.
            Assert.Equal(
                model.Keys.Where(k => s_modelPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).Order(),
                env.Keys.Where(k => s_modelPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).Order());
            // Everything else the model sets is set too.
            Assert.All(model.Keys, k => Assert.True(env.ContainsKey(k), $"{name}: {k} is in the model but not in the Deployment ({overlay})."));

            var port = project["bindings"]!["http"]!["targetPort"]!.GetValue<int>();
            Assert.Contains(Container(deployment).Ports, p => p.Name == "http" && p.ContainerPort == port);
            foreach (var (key, expression) in model)
            {
                if (!expression.Contains('{', StringComparison.Ordinal))
                {
                    Assert.True(env[key].Value == expression, $"{name}: {key} is '{env[key].Value}' in the Deployment, '{expression}' in the model ({overlay}).");
                }
                else if (Binding().Match(expression) is { Success: true } binding)
                {
                    // {candidates.bindings.http.url}: the other service's Service; {gateway.bindings.http.targetPort}: its own port.
                    var target = binding.Groups["resource"].Value;
                    var targetPort = manifest.Projects[target]["bindings"]!["http"]!["targetPort"]!.GetValue<int>();
                    var service = objects.Named<V1Service>(target);
                    var servicePort = Assert.Single(service.Spec.Ports, p => p.Name == "http");
                    Assert.Equal(targetPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ContainerPortOf(objects.Named<V1Deployment>(target), servicePort.TargetPort));
                    Assert.Equal(target, service.Spec.Selector["app.kubernetes.io/name"]);
                    var expected = binding.Groups["part"].Value == "url" ? $"http://{target}:{servicePort.Port}" : targetPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Assert.True(env[key].Value == expected, $"{name}: {key} is '{env[key].Value}', expected '{expected}' ({overlay}).");
                }
            }
        }

        // And nothing of the platform runs that the model does not have.
        Assert.All(objects.OfType<V1Deployment>().Where(d => d.Metadata.Name != "otel-collector"), d => Assert.Contains(d.Metadata.Name, manifest.Projects.Keys));
    }

    private static string ContainerPortOf(V1Deployment deployment, IntOrString targetPort) =>
        int.TryParse(targetPort.Value, out _) ? targetPort.Value
            : Container(deployment).Ports.Single(p => p.Name == targetPort.Value).ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.bindings\.http\.(?<part>url|targetPort)\}$")]
    private static partial Regex Binding();

    [GeneratedRegex(@"^\{(?<parameter>[a-z0-9-]+)\.(value|connectionString)\}$")]
    private static partial Regex ParameterReference();

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_secret_parameter_is_a_Secret_reference_never_a_literal(string overlay)
    {
        var objects = Render(overlay);
        var secretReferences = 0;
        foreach (var (name, project) in manifest.Projects)
        {
            var env = Container(objects.Named<V1Deployment>(name)).Env.ToDictionary(e => e.Name);
            foreach (var (key, expression) in AspireManifest.Environment(project))
            {
                if (ParameterReference().Match(expression) is not { Success: true } reference)
                {
                    continue;
                }

                var parameter = reference.Groups["parameter"].Value;
                if (manifest.IsSecretParameter(parameter))
                {
                    // The Secret is named after the parameter (create-secrets.sh makes it), its key "value".
                    Assert.True(env[key].Value is null, $"{name}: {key} is a literal; the model's {parameter} is secret ({overlay}).");
                    Assert.True(env[key].ValueFrom?.SecretKeyRef is { } secret && secret.Name == parameter && secret.Key == "value",
                        $"{name}: {key} must come from Secret {parameter}, key value ({overlay}).");
                    secretReferences++;
                }
                else
                {
                    Assert.True(env[key].ValueFrom?.ConfigMapKeyRef is not null || env[key].Value is not null, $"{name}: {key} has no value ({overlay}).");
                }
            }
        }

        // Four databases, three broker users, the signing key on four services and the bootstrap admin key.
        Assert.Equal(4 + 3 + 4 + 1, secretReferences);
        // No secret value is committed: no Secret objects at all, and no literal that carries a credential.
        Assert.Empty(objects.OfType<V1Secret>());
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            Assert.All(deployment.Spec.Template.Spec.Containers.SelectMany(c => c.Env ?? []).Where(e => e.Value is not null), e =>
                Assert.False(Credential().IsMatch(e.Value), $"{deployment.Metadata.Name}: {e.Name} looks like a credential ({overlay})."));
        }

        // The operators' users import their credentials from Secrets too.
        Assert.All(objects.OfType<RabbitmqUser>(), u => Assert.NotNull(u.Spec.ImportCredentialsSecret));
        Assert.All(ManagedRoles(objects.Named<CnpgCluster>("interim-postgres")), r => Assert.False(string.IsNullOrEmpty(r.PasswordSecret)));
    }

    [GeneratedRegex(@"(?i)password\s*=|://[^/\s]*:[^/\s]*@|^[A-Za-z0-9+/]{40,}={0,2}$")]
    private static partial Regex Credential();

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_has_probes_limits_and_a_non_root_security_context(string overlay)
    {
        var objects = Render(overlay);
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.All(pod.Containers, c =>
            {
                var what = $"{deployment.Metadata.Name}/{c.Name} ({overlay})";
                Assert.True(c.StartupProbe is not null && c.LivenessProbe is not null && c.ReadinessProbe is not null, $"{what}: startup, liveness and readiness probes");
                Assert.True(c.Resources?.Limits is { } limits && limits.ContainsKey("cpu") && limits.ContainsKey("memory"), $"{what}: cpu and memory limits");
                Assert.True(c.Resources?.Requests is { } requests && requests.ContainsKey("cpu") && requests.ContainsKey("memory"), $"{what}: cpu and memory requests");
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(c.Resources.Requests[resource].ToDecimal() <= c.Resources.Limits[resource].ToDecimal(), $"{what}: {resource} request above its limit");
                }

                Assert.True((c.SecurityContext?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) == true, $"{what}: runAsNonRoot");
                Assert.True((c.SecurityContext?.RunAsUser ?? pod.SecurityContext?.RunAsUser) is > 0, $"{what}: a non-zero runAsUser");
                Assert.True(c.SecurityContext?.AllowPrivilegeEscalation == false, $"{what}: allowPrivilegeEscalation false");
                Assert.True(c.SecurityContext?.ReadOnlyRootFilesystem == true, $"{what}: a read-only root file system");
                Assert.Contains("ALL", c.SecurityContext?.Capabilities?.Drop ?? []);
            });
        }

        foreach (var name in manifest.Projects.Keys)
        {
            var deployment = objects.Named<V1Deployment>(name);
            var container = Container(deployment);
            Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
            Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.StartupProbe.HttpGet.Path);
            // Migrations (and Matching's rebuild of its pool) may take minutes before the process serves.
            Assert.True(container.StartupProbe.PeriodSeconds * container.StartupProbe.FailureThreshold >= (name == "matching" ? 600 : 300), $"{name}: the startup probe allows too little time ({overlay})");
            // The host's own shutdown (HostOptions, 30 s: the batch in flight finishes) plus the preStop pause must fit.
            Assert.True(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > 30 + (container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0), $"{name}: terminationGracePeriodSeconds ({overlay})");
            Assert.True(deployment.Spec.Replicas >= 2, $"{name}: at least two replicas ({overlay})");
            Assert.Equal(0, int.Parse(deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value, System.Globalization.CultureInfo.InvariantCulture));

            var budget = objects.Named<V1PodDisruptionBudget>(name);
            Assert.True(budget.Spec.Selector.MatchLabels.All(l => deployment.Spec.Template.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value), $"{name}: the PodDisruptionBudget selects its pods");
            Assert.True(int.Parse(budget.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture) < deployment.Spec.Replicas, $"{name}: the PodDisruptionBudget must let a node drain ({overlay})");

            if (name != "gateway")
            {
                var autoscaler = objects.Named<V2HorizontalPodAutoscaler>(name);
                Assert.Equal(("Deployment", name), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
                Assert.True(autoscaler.Spec.MinReplicas <= deployment.Spec.Replicas && deployment.Spec.Replicas <= autoscaler.Spec.MaxReplicas, $"{name}: replicas within the autoscaler's range ({overlay})");
                Assert.True(budget.Spec.MinAvailable.Value is var min && int.Parse(min, System.Globalization.CultureInfo.InvariantCulture) < autoscaler.Spec.MinReplicas, $"{name}: PodDisruptionBudget below the autoscaler's minimum");
            }
        }

        var ingress = objects.Named<V1Ingress>("gateway");
        Assert.All(ingress.Spec.Rules.SelectMany(r => r.Http.Paths), p => Assert.Equal("gateway", p.Backend.Service.Name));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_queue_the_services_declare_is_quorum_in_cluster_mode(string overlay)
    {
        var objects = Render(overlay);
        var brokered = objects.OfType<V1Deployment>().Where(d => Container(d).Env?.Any(e => e.Name == "ConnectionStrings__messaging") == true).ToList();
        Assert.Equal(ServiceBrokerUsers.All.Select(s => s.Service).Order(), brokered.Select(d => d.Metadata.Name).Order());
        Assert.All(brokered, d => Assert.Equal("quorum", Container(d).Env.Single(e => e.Name == "Messaging__QueueType").Value));
        // What the services bind it to (MessagingOptions, from the Messaging section) takes this value.
        Assert.All(brokered, d =>
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(Container(d).Env.Where(e => e.Value is not null).Select(e => KeyValuePair.Create(e.Name.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
                .Build();
            var options = new InterimPlatform.Messaging.MessagingOptions();
            configuration.GetSection("Messaging").Bind(options);
            Assert.Equal("quorum", options.QueueType);
        });
        // The queues declared for the services by the Topology Operator (partner intake, receipts) are quorum too.
        var queues = objects.OfType<RabbitmqQueue>().ToList();
        Assert.NotEmpty(queues);
        Assert.All(queues, q => Assert.True(q.Spec.Type == "quorum" && q.Spec.Durable && !q.Spec.AutoDelete, $"queue {q.Spec.Name} ({overlay})"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Broker_users_permissions_and_the_partner_topology_mirror_the_AppHost(string overlay)
    {
        var objects = Render(overlay);
        var permissions = objects.OfType<RabbitmqPermission>().ToDictionary(p => p.Spec.UserReference?.Name ?? "");
        var users = objects.OfType<RabbitmqUser>().ToDictionary(u => u.Metadata.Name);

        foreach (var service in ServiceBrokerUsers.All)
        {
            var user = users[$"service-{service.Service}"];
            Assert.Equal($"messaging-{service.Service}-credentials", user.Spec.ImportCredentialsSecret!.Name);
            Assert.Empty(user.Spec.Tags);
            AssertPermissions(service.Permissions, permissions[user.Metadata.Name]);
        }

        var partners = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Checkout.Root(), "AppHost", "appsettings.json")))!["Partners"]!.AsArray().Select(p => (string)p!).ToList();
        var provisioning = PartnerNetworks.Provisioning(partners, partners.ToDictionary(p => p, _ => "unused"));
        foreach (var partner in provisioning.Users)
        {
            var user = users[$"partner-{partner.Name}"];
            Assert.Equal($"partner-{partner.Name}-credentials", user.Spec.ImportCredentialsSecret!.Name);
            AssertPermissions(new RabbitMQPermissions(partner.Configure, partner.Write, partner.Read), permissions[user.Metadata.Name]);
            // Its routing keys on the intake exchange (topic permissions), as the AppHost sets them.
            Assert.Equal(
                (partner.TopicWrites ?? []).Select(t => (t.Exchange, t.RoutingKeys)).Order(),
                objects.OfType<RabbitmqTopicPermission>().Where(t => t.Spec.UserReference?.Name == user.Metadata.Name).Select(t => (t.Spec.Permissions.Exchange, t.Spec.Permissions.Write)).Order());
        }

        // Service users have no topic restrictions (as locally), and every topic permission belongs to a user here.
        Assert.All(objects.OfType<RabbitmqTopicPermission>(), t => Assert.StartsWith("partner-", t.Spec.UserReference?.Name ?? "", StringComparison.Ordinal));
        Assert.All(objects.OfType<RabbitmqTopicPermission>(), o => Assert.Equal((ClusterNameOf(objects), "/"), (o.Spec.RabbitmqClusterReference.Name, o.Spec.Vhost)));

        Assert.Equal(users.Count, permissions.Count);
        Assert.Equal(
            provisioning.Exchanges.Select(e => (e.Name, e.Type)).Order(),
            objects.OfType<RabbitmqExchange>().Select(e => (e.Spec.Name, e.Spec.Type)).Order());
        Assert.Equal(provisioning.Queues.Select(q => q.Name).Order(), objects.OfType<RabbitmqQueue>().Select(q => q.Spec.Name).Order());
        Assert.Equal(
            provisioning.Queues.Where(q => q.BoundTo is not null).Select(q => (q.BoundTo!, q.Name, q.RoutingKey)).Order(),
            objects.OfType<RabbitmqBinding>().Select(b => (b.Spec.Source, b.Spec.Destination, b.Spec.RoutingKey)).Order());
        Assert.All(objects.OfType<RabbitmqBinding>(), b => Assert.Equal("queue", b.Spec.DestinationType));

        // Everything points at the one cluster, on the virtual host the services use.
        var clusterName = objects.OfType<RabbitmqCluster>().Single().Metadata.Name;
        Assert.All(objects.OfType<RabbitmqUser>(), o => Assert.Equal(clusterName, o.Spec.RabbitmqClusterReference.Name));
        Assert.All(objects.OfType<RabbitmqPermission>(), o => Assert.Equal((clusterName, "/"), (o.Spec.RabbitmqClusterReference.Name, o.Spec.Vhost)));
        Assert.All(objects.OfType<RabbitmqQueue>(), o => Assert.Equal((clusterName, "/"), (o.Spec.RabbitmqClusterReference.Name, o.Spec.Vhost)));
        Assert.All(objects.OfType<RabbitmqExchange>(), o => Assert.Equal((clusterName, "/"), (o.Spec.RabbitmqClusterReference.Name, o.Spec.Vhost)));
        Assert.All(objects.OfType<RabbitmqBinding>(), o => Assert.Equal((clusterName, "/"), (o.Spec.RabbitmqClusterReference.Name, o.Spec.Vhost)));
    }

    private static string ClusterNameOf(IReadOnlyList<IKubernetesObject> objects) => objects.OfType<RabbitmqCluster>().Single().Metadata.Name;

    private static void AssertPermissions(RabbitMQPermissions expected, RabbitmqPermission actual)
    {
        Assert.Equal(expected.Configure, actual.Spec.Permissions.Configure);
        Assert.Equal(expected.Write, actual.Spec.Permissions.Write);
        Assert.Equal(expected.Read, actual.Spec.Permissions.Read);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_service_has_its_own_database_and_owner(string overlay)
    {
        var objects = Render(overlay);
        var cluster = objects.Named<CnpgCluster>("interim-postgres");
        var roles = ManagedRoles(cluster).ToDictionary(r => r.Name);
        var hba = ((List<object>)((Dictionary<object, object>)cluster.Spec["postgresql"])["pg_hba"]).Cast<string>().ToList();
        foreach (var database in ClusterModel.Databases)
        {
            var name = database[..^"db".Length];
            var owner = $"{name}_owner";
            var resource = objects.OfType<CnpgDatabase>().Single(d => d.Spec.Name == name);
            Assert.Equal((owner, "interim-postgres"), (resource.Spec.Owner, resource.Spec.Cluster.Name));
            Assert.Equal($"{database}-owner", roles[owner].PasswordSecret);
            // Its own database only: allowed there, refused everywhere else, in that order.
            var allow = hba.IndexOf($"host {name} {owner} all scram-sha-256");
            var reject = hba.IndexOf($"host all {owner} all reject");
            Assert.True(allow >= 0 && reject > allow, $"pg_hba must let {owner} into {name} only ({overlay})");
        }

        Assert.Equal(ClusterModel.Databases.Count, objects.OfType<CnpgDatabase>().Count());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Network_policies_let_only_the_gateway_reach_the_services(string overlay)
    {
        var objects = Render(overlay);
        var policies = objects.OfType<V1NetworkPolicy>().ToList();
        var deny = policies.Single(p => p.Metadata.Name == "platform-default-deny");
        Assert.Equal(["Egress", "Ingress"], deny.Spec.PolicyTypes.Order());
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            var labels = deployment.Spec.Template.Metadata.Labels;
            Assert.True(deny.Spec.PodSelector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value), $"{deployment.Metadata.Name} is not under the default deny ({overlay})");
        }

        // The servers' operators copy their resources' labels onto their pods: the default deny (egress to DNS only) must
        // not catch the broker's or the database's pods, which talk to each other and to the Kubernetes API.
        Assert.All(
            objects.OfType<RabbitmqCluster>().Select(c => c.Metadata).Concat(objects.OfType<CnpgCluster>().Select(c => c.Metadata)),
            m => Assert.False(deny.Spec.PodSelector.MatchLabels.All(l => m.Labels?.TryGetValue(l.Key, out var v) == true && v == l.Value), $"{m.Name} would be under the default deny ({overlay})"));

        foreach (var service in ServiceBrokerUsers.All.Select(s => s.Service))
        {
            var policy = policies.Single(p => p.Metadata.Name == service);
            var from = Assert.Single(Assert.Single(policy.Spec.Ingress).FromProperty);
            Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "gateway" }, from.PodSelector.MatchLabels);
            Assert.Null(from.NamespaceSelector);
            // Egress: its database server, the broker's AMQP port and the collector; nothing else (DNS: the default policy).
            Assert.Equal([4317, 5432, 5672], policy.Spec.Egress.SelectMany(e => e.Ports).Select(p => int.Parse(p.Port.Value, System.Globalization.CultureInfo.InvariantCulture)).Order());
            Assert.All(policy.Spec.Egress, e => Assert.All(e.To, t => Assert.Null(t.IpBlock)));
        }

        // From outside the cluster, the broker takes AMQP and nothing else.
        var amqp = objects.Named<V1Service>("partner-amqp");
        Assert.Equal([5672], amqp.Spec.Ports.Select(p => p.Port));
        var rabbit = policies.Single(p => p.Metadata.Name == "rabbitmq");
        Assert.All(rabbit.Spec.Ingress.Where(r => r.FromProperty is null or { Count: 0 }), r => Assert.Equal([5672], r.Ports.Select(p => int.Parse(p.Port.Value, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Each_Deployment_runs_the_image_its_project_builds()
    {
        var root = Checkout.Root();
        var objects = KustomizeRenderer.Render(Path.Combine(KustomizeRenderer.DeployDirectory(root), "base"));
        foreach (var (name, project) in manifest.Projects)
        {
            // The manifest's path is relative to the manifest's own folder; the project's name is enough here.
            var file = Path.Combine(root, "services", char.ToUpperInvariant(name[0]) + name[1..], Path.GetFileName((string)project["path"]!));
            var repository = System.Xml.Linq.XDocument.Load(file).Descendants("ContainerRepository").Single().Value;
            Assert.Equal($"{repository}:1.0.0", Container(objects.Named<V1Deployment>(name)).Image);
        }

        // A base image whose user is not root (the chiseled images run as "app", uid 1654, as the Deployments require).
        var family = System.Xml.Linq.XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("ContainerFamily").Single().Value;
        Assert.EndsWith("-chiseled", family, StringComparison.Ordinal);
        Assert.All(objects.OfType<V1Deployment>().Where(d => manifest.Projects.ContainsKey(d.Metadata.Name)), d => Assert.Equal(1654, d.Spec.Template.Spec.SecurityContext.RunAsUser));
    }

    [Fact]
    public void Production_samples_a_ratio_of_traces_and_the_base_keeps_them_all()
    {
        string Sampler(string overlay) => Render(overlay).Named<V1ConfigMap>("telemetry").Data["traces-sampler"];
        Assert.Equal("parentbased_always_on", Sampler("small"));
        Assert.Equal("parentbased_traceidratio", Sampler("production"));
        Assert.Equal("0.1", Render("production").Named<V1ConfigMap>("telemetry").Data["traces-sampler-arg"]);
    }

    private sealed record ManagedRole(string Name, string? PasswordSecret);

    private static IEnumerable<ManagedRole> ManagedRoles(CnpgCluster cluster) =>
        ((List<object>)((Dictionary<object, object>)cluster.Spec["managed"])["roles"]).Cast<Dictionary<object, object>>()
        .Select(r => new ManagedRole((string)r["name"], r.TryGetValue("passwordSecret", out var s) ? (string)((Dictionary<object, object>)s)["name"] : null));
}
