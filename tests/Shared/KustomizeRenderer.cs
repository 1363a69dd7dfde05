using System.Globalization;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace InterimPlatform.Tests.Deployment;

/// <summary>
/// Renders a Kustomize directory of deploy/kubernetes the way <c>kubectl kustomize</c> would, for the parts of
/// Kustomize the repository uses, and refuses anything else (so a field it does not know cannot be skipped silently):
/// <c>resources</c> (files and directories), <c>namespace</c>, <c>images</c>, <c>replicas</c> and <c>patches</c> by
/// path, as strategic merge patches (maps merged key by key; lists of maps with a <c>name</c> merged by name, the
/// merge key of containers, env, ports and volumes; other lists replaced). Then every object is parsed, strictly
/// (unknown fields and duplicate keys fail), with the Kubernetes client's models, and the operators' resources with
/// <see cref="OperatorResources"/>.
/// </summary>
public static class KustomizeRenderer
{
    private static readonly HashSet<string> s_supportedFields = ["apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"];

    /// <summary>The repository's deploy/kubernetes folder.</summary>
    public static string DeployDirectory(string repositoryRoot) => Path.Combine(repositoryRoot, "deploy", "kubernetes");

    /// <summary>Every object of the kustomization in <paramref name="directory"/>, as the Kubernetes models.</summary>
    public static IReadOnlyList<IKubernetesObject> Render(string directory)
    {
        var documents = RenderDocuments(directory);
        var stream = new YamlStream([.. documents.Select(d => new YamlDocument(d))]);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        return [.. KubernetesYaml.LoadAllFromString(writer.ToString(), OperatorResources.TypeMap, strict: true).Cast<IKubernetesObject>()];
    }

    /// <summary>The rendered objects as YAML trees.</summary>
    public static List<YamlMappingNode> RenderDocuments(string directory)
    {
        var file = Path.Combine(directory, "kustomization.yaml");
        var kustomization = LoadFile(file).Single();
        foreach (var key in kustomization.Children.Keys.Select(Text))
        {
            if (!s_supportedFields.Contains(key))
            {
                throw new NotSupportedException($"{file}: '{key}' is not implemented by the test's renderer; implement it or do without.");
            }
        }

        var objects = new List<YamlMappingNode>();
        foreach (var resource in Sequence(kustomization, "resources").Select(Text))
        {
            var path = Path.GetFullPath(Path.Combine(directory, resource));
            objects.AddRange(Directory.Exists(path) ? RenderDocuments(path) : LoadFile(path));
        }

        foreach (var patchEntry in Sequence(kustomization, "patches").Cast<YamlMappingNode>())
        {
            if (patchEntry.Children.Count != 1 || Scalar(patchEntry, "path") is not { } patchPath)
            {
                throw new NotSupportedException($"{file}: only patches given by 'path' are implemented.");
            }

            foreach (var patch in LoadFile(Path.Combine(directory, patchPath)))
            {
                var target = objects.Where(o => Scalar(o, "kind") == Scalar(patch, "kind") && Name(o) == Name(patch)).ToList();
                if (target.Count != 1)
                {
                    throw new InvalidOperationException($"{patchPath}: the patch of {Scalar(patch, "kind")}/{Name(patch)} matches {target.Count} objects, not one.");
                }

                Merge(target[0], patch);
            }
        }

        foreach (var replicas in Sequence(kustomization, "replicas").Cast<YamlMappingNode>())
        {
            var name = Scalar(replicas, "name");
            var target = objects.Where(o => Scalar(o, "kind") is "Deployment" or "StatefulSet" && Name(o) == name).ToList();
            if (target.Count != 1)
            {
                throw new InvalidOperationException($"{file}: replicas for '{name}' match {target.Count} workloads, not one.");
            }

            ((YamlMappingNode)target[0].Children["spec"]).Children["replicas"] = new YamlScalarNode(Scalar(replicas, "count")) { Style = YamlDotNet.Core.ScalarStyle.Plain };
        }

        foreach (var image in Sequence(kustomization, "images").Cast<YamlMappingNode>())
        {
            var name = Scalar(image, "name")!;
            var replaced = 0;
            foreach (var container in objects.Where(o => Scalar(o, "kind") == "Deployment").SelectMany(Containers))
            {
                var current = Scalar(container, "image")!;
                var (currentName, currentTag) = current.LastIndexOf(':') is var colon and > 0 && !current[colon..].Contains('/') ? (current[..colon], current[(colon + 1)..]) : (current, null);
                if (currentName == name)
                {
                    var newTag = Scalar(image, "newTag") ?? currentTag;
                    container.Children["image"] = new YamlScalarNode((Scalar(image, "newName") ?? currentName) + (newTag is null ? "" : ":" + newTag));
                    replaced++;
                }
            }

            if (replaced == 0)
            {
                throw new InvalidOperationException($"{file}: the image '{name}' is used by no container.");
            }
        }

        if (Scalar(kustomization, "namespace") is { } ns)
        {
            foreach (var o in objects.Where(o => Scalar(o, "kind") != "Namespace"))
            {
                ((YamlMappingNode)o.Children["metadata"]).Children["namespace"] = new YamlScalarNode(ns);
            }
        }

        return objects;
    }

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode deployment) =>
        deployment.Children["spec"] is YamlMappingNode { } spec && spec.Children["template"] is YamlMappingNode template && template.Children["spec"] is YamlMappingNode podSpec
            ? Sequence(podSpec, "containers").Concat(Sequence(podSpec, "initContainers")).Cast<YamlMappingNode>()
            : [];

    /// <summary>A strategic merge (the subset described on the class).</summary>
    private static void Merge(YamlMappingNode target, YamlMappingNode patch)
    {
        foreach (var (key, value) in patch.Children)
        {
            if (!target.Children.TryGetValue(key, out var existing))
            {
                target.Children[key] = value;
            }
            else if (existing is YamlMappingNode existingMap && value is YamlMappingNode patchMap)
            {
                Merge(existingMap, patchMap);
            }
            else if (existing is YamlSequenceNode existingList && value is YamlSequenceNode patchList
                && patchList.Children.All(c => c is YamlMappingNode m && Scalar(m, "name") is not null)
                && existingList.Children.All(c => c is YamlMappingNode m && Scalar(m, "name") is not null))
            {
                foreach (var item in patchList.Children.Cast<YamlMappingNode>())
                {
                    if (existingList.Children.Cast<YamlMappingNode>().FirstOrDefault(e => Scalar(e, "name") == Scalar(item, "name")) is { } match)
                    {
                        Merge(match, item);
                    }
                    else
                    {
                        existingList.Children.Add(item);
                    }
                }
            }
            else
            {
                target.Children[key] = value;
            }
        }
    }

    private static List<YamlMappingNode> LoadFile(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode { Children.Count: > 0 }).Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string? Name(YamlMappingNode o) => o.Children.TryGetValue("metadata", out var m) && m is YamlMappingNode metadata ? Scalar(metadata, "name") : null;

    private static string? Scalar(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode list ? list.Children : [];

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    /// <summary>The objects of <paramref name="kind"/> (named like the model type's kind).</summary>
    public static IEnumerable<T> OfKind<T>(this IEnumerable<IKubernetesObject> objects) => objects.OfType<T>();

    /// <summary>The one object of type <typeparamref name="T"/> named <paramref name="name"/>.</summary>
    public static T Named<T>(this IEnumerable<IKubernetesObject> objects, string name) where T : IMetadata<V1ObjectMeta> =>
        objects.OfType<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"No {typeof(T).Name} named '{name}'.");
}
